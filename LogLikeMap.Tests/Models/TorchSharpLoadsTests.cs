using TorchSharp;

namespace LogLikeMap.Tests.Models;

/// <summary>
/// The build marks libLibTorchSharp.so's GLIBCXX_3.4.32 need weak (Directory.Build.targets, docs/stack.md "Debian 12
/// load failure"); without it the first torch call throws on Debian 12. A product worked by hand proves the
/// native library loaded and computes.
/// </summary>
public class TorchSharpLoadsTests
{
    [Fact]
    public void A_matrix_product_runs_in_libtorch()
    {
        using var a = torch.tensor(new float[] { 1, 2, 3, 4 }, 2, 2);
        using var b = torch.tensor(new float[] { 5, 6, 7, 8 }, 2, 2);
        using var product = torch.matmul(a, b);

        // [[1,2],[3,4]] x [[5,6],[7,8]] = [[19,22],[43,50]]
        Assert.Equal(new float[] { 19, 22, 43, 50 }, product.data<float>().ToArray());
    }
}
