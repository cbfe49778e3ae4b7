using System.Numerics;

namespace LogLikeMap.Core.TextSets;

/// <summary>
/// Python's <c>random.Random</c>, bit for bit, for what the paper uses: <c>random.seed(42)</c> followed by
/// <c>random.sample(population, k)</c> (docs/method.md section 1.1). The generator is MT19937 seeded by
/// <c>init_by_array</c> with the seed's absolute value split into 32-bit words (CPython Modules/_randommodule.c,
/// <c>random_seed</c>); <c>getrandbits</c>, <c>_randbelow_with_getrandbits</c> and <c>sample</c> follow CPython 3.11's
/// Lib/random.py. A user who holds the paper's candidate chunks gets the paper's selection with seed 42.
/// </summary>
public sealed class PythonRandom
{
    private const int N = 624;
    private const int M = 397;
    private readonly uint[] _state = new uint[N];
    private int _index;

    public PythonRandom(BigInteger seed)
    {
        // random_seed: the key is abs(seed) as little-endian 32-bit words; zero gives the key [0].
        var magnitude = BigInteger.Abs(seed);
        var bytes = magnitude.ToByteArray(isUnsigned: true, isBigEndian: false);
        var key = new uint[Math.Max(1, (bytes.Length + 3) / 4)];
        for (var i = 0; i < bytes.Length; i++)
            key[i / 4] |= (uint)bytes[i] << (8 * (i % 4));
        InitByArray(key);
    }

    /// <summary>Python's <c>getrandbits(k)</c> for 0 &lt;= k &lt;= 64.</summary>
    public ulong GetRandBits(int k)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(k);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(k, 64);
        if (k == 0)
            return 0;
        if (k <= 32)
            return NextUInt32() >> (32 - k);
        // Words are filled least significant first; the last word keeps only its top (k mod 32) bits.
        ulong low = NextUInt32();
        ulong high = NextUInt32() >> (64 - k);
        return (high << 32) | low;
    }

    /// <summary>Python's <c>_randbelow_with_getrandbits(n)</c>: a uniform integer in [0, n) by rejection.</summary>
    public long RandBelow(long n)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(n);
        var bits = 64 - BitOperations.LeadingZeroCount((ulong)n); // n.bit_length()
        var r = GetRandBits(bits);
        while (r >= (ulong)n)
            r = GetRandBits(bits);
        return (long)r;
    }

    /// <summary>Python's <c>random.sample(population, k)</c> (3.11): k distinct elements in selection order.</summary>
    public IReadOnlyList<T> Sample<T>(IReadOnlyList<T> population, int k)
    {
        ArgumentNullException.ThrowIfNull(population);
        var n = population.Count;
        if (k < 0 || k > n)
            throw new ArgumentOutOfRangeException(nameof(k), $"Sample larger than population or is negative (k = {k}, n = {n}).");
        var result = new T[k];
        // Python picks the strategy by comparing n with the size a set of k selections would take.
        var setSize = 21;
        if (k > 5)
            setSize += (int)Math.Pow(4, Math.Ceiling(Math.Log(k * 3.0) / Math.Log(4)));
        if (n <= setSize)
        {
            // A pool the size of the population: pick, then move the last unpicked element into the hole.
            var pool = population.ToArray();
            for (var i = 0; i < k; i++)
            {
                var j = (int)RandBelow(n - i);
                result[i] = pool[j];
                pool[j] = pool[n - i - 1];
            }
        }
        else
        {
            // Rejection of repeats against the set of selected positions.
            var selected = new HashSet<long>();
            for (var i = 0; i < k; i++)
            {
                var j = RandBelow(n);
                while (!selected.Add(j))
                    j = RandBelow(n);
                result[i] = population[(int)j];
            }
        }
        return result;
    }

    private void InitGenrand(uint seed)
    {
        _state[0] = seed;
        for (var i = 1; i < N; i++)
            _state[i] = (1812433253u * (_state[i - 1] ^ (_state[i - 1] >> 30))) + (uint)i;
        _index = N;
    }

    private void InitByArray(uint[] key)
    {
        InitGenrand(19650218u);
        int i = 1, j = 0;
        for (var k = Math.Max(N, key.Length); k > 0; k--)
        {
            _state[i] = (_state[i] ^ ((_state[i - 1] ^ (_state[i - 1] >> 30)) * 1664525u)) + key[j] + (uint)j;
            i++;
            j++;
            if (i >= N)
            {
                _state[0] = _state[N - 1];
                i = 1;
            }
            if (j >= key.Length)
                j = 0;
        }
        for (var k = N - 1; k > 0; k--)
        {
            _state[i] = (_state[i] ^ ((_state[i - 1] ^ (_state[i - 1] >> 30)) * 1566083941u)) - (uint)i;
            i++;
            if (i >= N)
            {
                _state[0] = _state[N - 1];
                i = 1;
            }
        }
        _state[0] = 0x80000000u; // MSB is 1, assuring a non-zero initial array
    }

    private uint NextUInt32()
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

    private void Twist()
    {
        for (var kk = 0; kk < N; kk++)
        {
            var y = (_state[kk] & 0x80000000u) | (_state[(kk + 1) % N] & 0x7fffffffu);
            _state[kk] = _state[(kk + M) % N] ^ (y >> 1) ^ ((y & 1u) != 0 ? 0x9908b0dfu : 0u);
        }
        _index = 0;
    }
}
