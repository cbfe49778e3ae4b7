using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace LogLikeMap.Core.Map;

/// <summary>SIMD kernels shared by the map's numerics (AVX2 with FMA on this machine; portable elsewhere).</summary>
internal static class VectorMath
{
    /// <summary>Sum over s of a_s b_s.</summary>
    public static double Dot(ReadOnlySpan<double> a, ReadOnlySpan<double> b)
    {
        ref var pa = ref MemoryMarshal.GetReference(a);
        ref var pb = ref MemoryMarshal.GetReference(b);
        var acc0 = Vector256<double>.Zero;
        var acc1 = Vector256<double>.Zero;
        var s = 0;
        for (; s + 8 <= a.Length; s += 8)
        {
            acc0 = Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref pa, (nuint)s), Vector256.LoadUnsafe(ref pb, (nuint)s), acc0);
            acc1 = Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref pa, (nuint)(s + 4)), Vector256.LoadUnsafe(ref pb, (nuint)(s + 4)), acc1);
        }

        var sum = Vector256.Sum(acc0 + acc1);
        for (; s < a.Length; s++)
            sum += a[s] * b[s];
        return sum;
    }

    /// <summary>Sum over s of (a_s - b_s)^2, computed from the differences so nothing cancels.</summary>
    public static double SquaredDistance(ReadOnlySpan<double> a, ReadOnlySpan<double> b)
    {
        ref var pa = ref MemoryMarshal.GetReference(a);
        ref var pb = ref MemoryMarshal.GetReference(b);
        var acc0 = Vector256<double>.Zero;
        var acc1 = Vector256<double>.Zero;
        var s = 0;
        for (; s + 8 <= a.Length; s += 8)
        {
            var d0 = Vector256.LoadUnsafe(ref pa, (nuint)s) - Vector256.LoadUnsafe(ref pb, (nuint)s);
            var d1 = Vector256.LoadUnsafe(ref pa, (nuint)(s + 4)) - Vector256.LoadUnsafe(ref pb, (nuint)(s + 4));
            acc0 = Vector256.FusedMultiplyAdd(d0, d0, acc0);
            acc1 = Vector256.FusedMultiplyAdd(d1, d1, acc1);
        }

        var sum = Vector256.Sum(acc0 + acc1);
        for (; s < a.Length; s++)
        {
            var d = a[s] - b[s];
            sum += d * d;
        }

        return sum;
    }
}
