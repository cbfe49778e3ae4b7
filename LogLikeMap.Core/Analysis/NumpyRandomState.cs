namespace LogLikeMap.Core.Analysis;

/// <summary>
/// numpy's legacy <c>numpy.random.RandomState(seed)</c>, bit for bit, for what scikit-learn's shuffled splitters
/// draw: <c>check_random_state(seed)</c> builds one, and <c>KFold</c> / <c>GroupKFold</c> call its <c>shuffle</c> or
/// <c>permutation</c> (docs/method.md §3.1: the folds of seeds 0-4). The generator is MT19937 like Python's
/// <c>random</c> (<see cref="TextSets.PythonRandom"/>), but seeded differently: an integer seed goes through
/// <c>mt19937_seed</c> (numpy/random/src/mt19937/mt19937.c, the reference <c>init_genrand</c>), not
/// <c>init_by_array</c>. <c>shuffle</c> is a Fisher-Yates pass from the last element down, each swap partner drawn by
/// <c>random_interval(i)</c> (numpy/random/src/distributions/distributions.c): 32-bit draws masked to the smallest
/// all-ones mask covering i, rejected while above i.
/// </summary>
public sealed class NumpyRandomState
{
    private const int N = 624;
    private const int M = 397;
    private readonly uint[] _state = new uint[N];
    private int _index;

    /// <summary>Seeds as <c>RandomState(seed)</c> does for an integer 0 &lt;= seed &lt; 2^32.</summary>
    public NumpyRandomState(uint seed)
    {
        _state[0] = seed;
        for (var i = 1; i < N; i++)
            _state[i] = 1812433253u * (_state[i - 1] ^ (_state[i - 1] >> 30)) + (uint)i;
        _index = N;
    }

    /// <summary>The next 32-bit output of MT19937 (tempered).</summary>
    public uint NextUInt32()
    {
        if (_index >= N)
            Twist();
        var y = _state[_index++];
        y ^= y >> 11;
        y ^= (y << 7) & 0x9d2c5680u;
        y ^= (y << 15) & 0xefc60000u;
        y ^= y >> 18;
        return y;
    }

    /// <summary><c>random_interval(max)</c>: a uniform integer in [0, max] by masked rejection (max &lt; 2^32 here).</summary>
    public uint RandomInterval(uint max)
    {
        if (max == 0)
            return 0;
        var mask = max;
        mask |= mask >> 1;
        mask |= mask >> 2;
        mask |= mask >> 4;
        mask |= mask >> 8;
        mask |= mask >> 16;
        uint value;
        while ((value = NextUInt32() & mask) > max)
        {
        }
        return value;
    }

    /// <summary><c>RandomState.shuffle(x)</c> of a one-dimensional array, in place.</summary>
    public void Shuffle<T>(Span<T> values)
    {
        for (var i = values.Length - 1; i >= 1; i--)
        {
            var j = (int)RandomInterval((uint)i);
            (values[i], values[j]) = (values[j], values[i]);
        }
    }

    /// <summary><c>RandomState.permutation(n)</c>: 0..n-1 shuffled.</summary>
    public int[] Permutation(int n)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(n);
        var values = Enumerable.Range(0, n).ToArray();
        Shuffle<int>(values);
        return values;
    }

    private void Twist()
    {
        for (var i = 0; i < N; i++)
        {
            var y = (_state[i] & 0x80000000u) | (_state[(i + 1) % N] & 0x7fffffffu);
            var next = _state[(i + M) % N] ^ (y >> 1);
            _state[i] = (y & 1) != 0 ? next ^ 0x9908b0dfu : next;
        }
        _index = 0;
    }
}
