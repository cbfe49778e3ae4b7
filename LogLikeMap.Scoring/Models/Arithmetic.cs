using TorchSharp;
using static TorchSharp.torch;

namespace LogLikeMap.Scoring.Models;

/// <summary>
/// Tensor arithmetic with numbers that holds every native Scalar until libtorch has read it.
/// </summary>
/// <remarks>
/// TorchSharp 0.107 turns a number into a native <see cref="Scalar"/> (its own implicit conversions, the alpha of 1 in
/// <c>tensor + tensor</c>, <c>arange(n)</c>'s start and step) and passes only the handle to libtorch; nothing refers to
/// the managed object after that, so a garbage collection during the native call may finalise it and free the Scalar
/// while libtorch reads it. Scoring in the web app, beside its requests and other jobs, met this as a corrupt Scalar
/// ("toFloat ... Expected false to be true") in one test run of about thirty; under forced collections 164 of 2.27
/// million rounds of additions failed, and none with the Scalars held (tools/scalar-race; docs/stack.md, "Scalars
/// freed mid-call").
/// Every number reaches libtorch here as a Scalar that a <c>using</c> or a static field keeps alive across the call.
/// Tensors need no such care inside a dispose scope, which holds each one it makes. TorchSharpUseTests keeps the
/// scorer from the calls that make a Scalar of their own.
/// </remarks>
internal static class Arithmetic
{
    /// <summary>The alpha of every sum (TorchSharp's own is a fresh Scalar each time); static, so never finalised.</summary>
    private static readonly Scalar One = 1.ToScalar();

    private static readonly Scalar Zero = 0.ToScalar();

    private static readonly Scalar Two = 2.ToScalar();

    /// <summary><c>a + b</c>.</summary>
    public static Tensor Plus(this Tensor a, Tensor b) => a.add(b, One);

    /// <summary><c>a + b</c> for a floating-point number.</summary>
    public static Tensor Plus(this Tensor a, double b) => Held(b, scalar => a.add(scalar, One));

    /// <summary><c>a + b</c> for an integer, which keeps an integer tensor integral.</summary>
    public static Tensor Plus(this Tensor a, long b) => Held(b, scalar => a.add(scalar, One));

    /// <summary><c>a - b</c>.</summary>
    public static Tensor Minus(this Tensor a, double b) => Held(b, a.sub);

    /// <summary><c>b - a</c> as TorchSharp computes <c>number - tensor</c>: <c>-a + b</c> (the same numbers as PyTorch's <c>rsub</c>).</summary>
    public static Tensor SubtractedFrom(this Tensor a, double b) => a.negative().Plus(b);

    /// <summary><c>a * b</c>.</summary>
    public static Tensor Times(this Tensor a, double b) => Held(b, a.mul);

    /// <summary><c>a / b</c>.</summary>
    public static Tensor DividedBy(this Tensor a, double b) => Held(b, scalar => a.div(scalar));

    /// <summary><c>b / a</c> as TorchSharp and PyTorch (<c>__rtruediv__</c>) compute it: <c>a.reciprocal() * b</c>.</summary>
    public static Tensor Dividing(this Tensor a, double b) => a.reciprocal().Times(b);

    /// <summary><c>a // b</c>: division rounded down.</summary>
    public static Tensor FloorDividedBy(this Tensor a, long b) => Held(b, scalar => a.div(scalar, RoundingMode.floor));

    /// <summary><c>a ** 2</c> (PyTorch's <c>pow(2)</c>, an integer exponent).</summary>
    public static Tensor Squared(this Tensor a) => a.pow(Two);

    /// <summary><c>a &gt; b</c>.</summary>
    public static Tensor IsAbove(this Tensor a, double b) => Held(b, a.gt);

    /// <summary><c>a &gt;= b</c>.</summary>
    public static Tensor IsAtLeast(this Tensor a, double b) => Held(b, a.ge);

    /// <summary><c>a &gt;= b</c> for an integer.</summary>
    public static Tensor IsAtLeast(this Tensor a, long b) => Held(b, a.ge);

    /// <summary><c>a &lt;= b</c>.</summary>
    public static Tensor IsAtMost(this Tensor a, double b) => Held(b, a.le);

    /// <summary><c>a &lt; b</c> for an integer.</summary>
    public static Tensor IsBelow(this Tensor a, long b) => Held(b, a.lt);

    /// <summary><c>a.masked_fill(mask, value)</c>.</summary>
    public static Tensor FilledWhere(this Tensor a, Tensor mask, double value) => Held(value, scalar => a.masked_fill(mask, scalar));

    /// <summary><c>a.fill_(value)</c>, in place.</summary>
    public static Tensor FillWith(this Tensor a, double value) => Held(value, a.fill_);

    /// <summary><c>a.index_add_(dimension, index, source)</c>, in place: adds source's rows at the indexed rows.</summary>
    public static Tensor AddAtIndices(this Tensor a, long dimension, Tensor index, Tensor source) =>
        a.index_add_(dimension, index, source, One);

    /// <summary><c>arange(count)</c>: 0, 1, ..., count - 1.</summary>
    public static Tensor Range(long count, ScalarType dtype, Device device)
    {
        using var stop = count.ToScalar();
        return arange(Zero, stop, One, dtype, device);
    }

    /// <summary><c>arange(start, stop, step)</c> for integers.</summary>
    public static Tensor Range(long start, long stop, long step, ScalarType dtype, Device device)
    {
        using var first = start.ToScalar();
        using var end = stop.ToScalar();
        using var stride = step.ToScalar();
        return arange(first, end, stride, dtype, device);
    }

    /// <summary><c>full(size, value)</c>.</summary>
    public static Tensor Full(long size, double value, ScalarType dtype, Device device) =>
        Held(value, scalar => full(size, scalar, dtype, device));

    /// <summary>Runs <paramref name="use"/> with the number as a Scalar, which the <c>using</c> holds until it returns.</summary>
    private static Tensor Held(double value, Func<Scalar, Tensor> use)
    {
        using var scalar = value.ToScalar();
        return use(scalar);
    }

    /// <summary>The same for an integer, which stays an integer Scalar.</summary>
    private static Tensor Held(long value, Func<Scalar, Tensor> use)
    {
        using var scalar = value.ToScalar();
        return use(scalar);
    }
}
