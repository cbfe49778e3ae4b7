// Two threads add tensors and numbers while a third forces garbage collections, for a fixed time, and count the
// rounds that failed or gave a wrong sum. "unheld" writes x + 1e-6 and y + x, whose Scalars TorchSharp makes and
// leaves to the finaliser; "held" passes Scalars that the loop holds, as the scorer's Models/Arithmetic does.
// Usage: dotnet run -c Release --project tools/scalar-race -- unheld|held [seconds]
using System.Diagnostics;
using System.Runtime.InteropServices;
using TorchSharp;
using static TorchSharp.torch;

var held = args.FirstOrDefault() switch
{
    "held" => true,
    "unheld" or null => false,
    var other => throw new ArgumentException($"Expected 'held' or 'unheld', not '{other}'."),
};
var seconds = args.Length > 1 ? double.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 20;

using var one = 1.ToScalar();
using var epsilon = 1e-6.ToScalar();
var clock = Stopwatch.StartNew();
long operations = 0, failures = 0, wrongSums = 0;

var collector = new Thread(() =>
{
    while (clock.Elapsed.TotalSeconds < seconds)
    {
        // Garbage to collect, so that each collection has work and the finaliser thread runs often.
        var garbage = new byte[1000][];
        for (var i = 0; i < garbage.Length; i++)
            garbage[i] = new byte[100];
        GC.Collect();
        GC.WaitForPendingFinalizers();
    }
});
var adders = Enumerable.Range(0, 2).Select(_ => new Thread(() =>
{
    while (clock.Elapsed.TotalSeconds < seconds)
    {
        using var scope = NewDisposeScope();
        var x = ones(64, ScalarType.Float32, CPU);
        for (var k = 0; k < 50; k++)
        {
            try
            {
                var y = held ? x.add(epsilon, one) : x + 1e-6;
                var sum = (held ? y.add(x, one) : y + x).sum().item<float>();
                if (Math.Abs(sum - 128.000064f) > 1e-3f)
                    Interlocked.Increment(ref wrongSums);
            }
            catch (ExternalException)
            {
                Interlocked.Increment(ref failures);
            }
            Interlocked.Increment(ref operations);
        }
    }
})).ToArray();

collector.Start();
foreach (var adder in adders)
    adder.Start();
foreach (var adder in adders)
    adder.Join();
collector.Join();
Console.WriteLine($"{(held ? "held" : "unheld")} Scalars, {seconds:0} s: {operations:N0} rounds of two additions, {failures} failed, {wrongSums} gave a wrong sum");
