namespace LogLikeMap.Core.Map;

/// <summary>Cyclic Jacobi eigen decomposition for the small symmetric matrices of Rayleigh-Ritz steps.</summary>
internal static class SymmetricEigen
{
    private const int MaxSweeps = 100;

    /// <summary>
    /// Eigenvalues and eigenvectors of the symmetric n x n <paramref name="matrix"/> (row-major);
    /// eigenvector c is column c of the returned vectors.
    /// </summary>
    public static (double[] Values, double[] Vectors) Jacobi(double[] matrix, int n)
    {
        var a = (double[])matrix.Clone();
        var v = new double[n * n];
        for (var i = 0; i < n; i++)
            v[i * n + i] = 1;

        for (var sweep = 0; sweep < MaxSweeps; sweep++)
        {
            var offDiagonal = 0.0;
            var diagonal = 0.0;
            for (var p = 0; p < n; p++)
            {
                diagonal += a[p * n + p] * a[p * n + p];
                for (var q = p + 1; q < n; q++)
                    offDiagonal += a[p * n + q] * a[p * n + q];
            }

            if (offDiagonal <= 1e-30 * diagonal || offDiagonal == 0)
                break;

            for (var p = 0; p < n; p++)
            {
                for (var q = p + 1; q < n; q++)
                {
                    var apq = a[p * n + q];
                    if (apq == 0)
                        continue;
                    // Rotation angle that zeroes a_pq (Golub & Van Loan, Algorithm 8.5.1).
                    var theta = (a[q * n + q] - a[p * n + p]) / (2 * apq);
                    var t = Math.Sign(theta) / (Math.Abs(theta) + Math.Sqrt(theta * theta + 1));
                    if (theta == 0)
                        t = 1;
                    var c = 1 / Math.Sqrt(t * t + 1);
                    var s = t * c;
                    for (var r = 0; r < n; r++)
                    {
                        double arp = a[r * n + p], arq = a[r * n + q];
                        a[r * n + p] = c * arp - s * arq;
                        a[r * n + q] = s * arp + c * arq;
                    }

                    for (var r = 0; r < n; r++)
                    {
                        double apr = a[p * n + r], aqr = a[q * n + r];
                        a[p * n + r] = c * apr - s * aqr;
                        a[q * n + r] = s * apr + c * aqr;
                    }

                    for (var r = 0; r < n; r++)
                    {
                        double vrp = v[r * n + p], vrq = v[r * n + q];
                        v[r * n + p] = c * vrp - s * vrq;
                        v[r * n + q] = s * vrp + c * vrq;
                    }
                }
            }
        }

        var values = new double[n];
        for (var i = 0; i < n; i++)
            values[i] = a[i * n + i];
        return (values, v);
    }
}
