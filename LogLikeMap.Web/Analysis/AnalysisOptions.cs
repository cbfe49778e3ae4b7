using System.ComponentModel.DataAnnotations;
using LogLikeMap.Core.Analysis;

namespace LogLikeMap.Web.Analysis;

/// <summary>The map's analyses (configuration section "Analysis"; docs/method.md §3).</summary>
public sealed class AnalysisOptions
{
    public const string Section = "Analysis";

    /// <summary>
    /// A scores CSV (<c>model,[family,]&lt;target&gt;,...</c>) to read when no scores were imported through the API;
    /// relative paths are under the content root. Without it, <c>scores.csv</c> of the demo map folder is read when present.
    /// </summary>
    public string? ScoresFile { get; set; }

    /// <summary>Coverage aimed at by the interval of a predicted score (split-conformal, docs/method.md §3.1).</summary>
    [Range(0.5, 0.99)]
    public double IntervalLevel { get; set; } = 0.9;

    /// <summary>The robust z of the leakage residual above which a model is flagged (docs/method.md §3.3).</summary>
    [Range(0.5, 100)]
    public double LeakageThreshold { get; set; } = LeakageFlags.DefaultThreshold;
}
