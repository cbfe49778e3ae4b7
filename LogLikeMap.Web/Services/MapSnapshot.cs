namespace LogLikeMap.Web.Services;

/// <summary>One model as the map shows it: its card and its 2-D position in the current layout.</summary>
/// <param name="MeanLogLikelihood">Mean over the texts of the model's log-likelihood, in nats per text.</param>
/// <param name="StrongestDomain">The text domain (pile_set_name) where the model's centred log-likelihood is highest on average.</param>
/// <param name="Provisional">Placed next to fixed others after the last full layout; exact after the next refresh.</param>
/// <param name="Change">What was done to the model's base (metadata <c>change</c>: "domain fine-tune", "8-bit quantisation"...), where known.</param>
/// <param name="Data">What the model (or its change) was trained on (metadata <c>data</c>), where known.</param>
/// <param name="Checkpoint">The training run and step the model was saved at (metadata <c>run</c> and <c>step</c>), where the card says.</param>
/// <param name="Grid">The model's place on a weight-interpolation grid (metadata <c>sources</c>, <c>grid_a</c>, <c>grid_b</c>), where it is one.</param>
public sealed record ModelPoint(
    string Name, string Family, string? Architecture, long? Parameters, DateTimeOffset? Created,
    double MeanLogLikelihood, string? StrongestDomain, double X, double Y, bool Provisional,
    string? Change = null, string? Data = null, LogLikeMap.Core.Analysis.RunStep? Checkpoint = null,
    LogLikeMap.Core.Analysis.GridWeights? Grid = null);

/// <summary>What the map shows now. Immutable: a change publishes a new snapshot.</summary>
/// <param name="Version">The stored layout version this snapshot draws (0 before any layout is stored).</param>
public sealed record MapSnapshot(
    int Version, string TextSetName, int TextCount, double MeanTextBytes,
    IReadOnlyList<ModelPoint> Models, IReadOnlyList<string> Domains, DateTimeOffset BuiltAt);
