using System.Text.Json.Nodes;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace LogLikeMap.Scoring.Models;

/// <summary>
/// HF <c>Qwen2MoeForCausalLM</c>: Qwen2's attention (q/k/v biases) with a sparse mixture of experts in place of the MLP
/// (on the layers <see cref="QwenExpertsConfig.IsSparse"/> picks), plus a shared expert that every token passes through,
/// weighted by sigmoid(<c>shared_expert_gate</c>(x)).
/// </summary>
public static class Qwen2Moe
{
    public static ModelArchitecture Architecture { get; } = new("qwen2_moe", "model.", json =>
    {
        var (config, experts) = ReadConfig(json);
        return new RotaryDecoderModel(nameof(Qwen2Moe), config, i => new PreNormDecoderLayer(
            config, i, new LlamaAttention(config),
            experts.IsSparse(i) ? new Qwen2MoeSparseMoeBlock(config, experts) : new LlamaMlp(config)));
    });

    /// <summary>Reads a <c>qwen2_moe</c> config.json with the defaults of HF's <c>Qwen2MoeConfig</c>.</summary>
    public static (LlamaConfig Model, QwenExpertsConfig Experts) ReadConfig(JsonObject json)
    {
        var config = new ConfigReader(json, "qwen2_moe");
        QwenExpertsConfig.RefuseSlidingWindow(config);
        var model = LlamaConfig.Read(config, defaults: new LlamaConfig(
            VocabularySize: 151936, HiddenSize: 2048, IntermediateSize: 5632, Layers: 24, Heads: 16, KeyValueHeads: 16,
            HeadDimensions: 128, MaxPositions: 32768, RmsNormEpsilon: 1e-6, RopeTheta: 10000.0, RopeScaling: null,
            HiddenActivation: "silu", QkvBias: config.Bool("qkv_bias", true), OutputBias: false, MlpBias: false,
            TieWordEmbeddings: false, SlidingWindow: null, FirstSlidingWindowLayer: 0, InitializerRange: 0.02));
        var experts = QwenExpertsConfig.Read(json, config, model.Layers, new QwenExpertsConfig(
            Experts: 60, ExpertsPerToken: 4, ExpertIntermediateSize: 1408, NormalizeTopK: false, DecoderSparseStep: 1,
            MlpOnlyLayers: new HashSet<int>(), SharedExpertIntermediateSize: 5632));
        return (model, experts);
    }
}

/// <summary>
/// The mixture-of-experts keys of <c>Qwen2MoeConfig</c> and <c>Qwen3MoeConfig</c> (which derives from it).
/// </summary>
/// <param name="Experts"><c>num_experts</c>: routed experts per sparse layer.</param>
/// <param name="ExpertsPerToken"><c>num_experts_per_tok</c>: the k of top-k routing.</param>
/// <param name="ExpertIntermediateSize"><c>moe_intermediate_size</c>: each routed expert's MLP width.</param>
/// <param name="NormalizeTopK"><c>norm_topk_prob</c>: renormalise the k routing weights to sum to one.</param>
/// <param name="DecoderSparseStep"><c>decoder_sparse_step</c>: layer i is sparse when (i + 1) is a multiple of it.</param>
/// <param name="MlpOnlyLayers"><c>mlp_only_layers</c>: layers that keep a dense MLP of <c>intermediate_size</c>.</param>
/// <param name="SharedExpertIntermediateSize"><c>shared_expert_intermediate_size</c> (Qwen2-MoE only).</param>
public sealed record QwenExpertsConfig(
    int Experts,
    int ExpertsPerToken,
    int ExpertIntermediateSize,
    bool NormalizeTopK,
    int DecoderSparseStep,
    IReadOnlySet<int> MlpOnlyLayers,
    int SharedExpertIntermediateSize)
{
    /// <summary>HF <c>Qwen2MoeDecoderLayer</c>: a sparse block unless listed in mlp_only_layers, off the sparse step, or without experts.</summary>
    public bool IsSparse(int layer) => !MlpOnlyLayers.Contains(layer) && Experts > 0 && (layer + 1) % DecoderSparseStep == 0;

    internal static QwenExpertsConfig Read(JsonObject json, ConfigReader config, int layers, QwenExpertsConfig defaults)
    {
        var experts = config.Int("num_experts", defaults.Experts);
        var perToken = config.Int("num_experts_per_tok", defaults.ExpertsPerToken);
        var step = config.Int("decoder_sparse_step", defaults.DecoderSparseStep);
        if (experts < 0)
            throw config.Invalid($"num_experts ({experts}) must not be negative.");
        if (experts > 0 && (perToken < 1 || perToken > experts))
            throw config.Invalid($"num_experts_per_tok ({perToken}) must lie between 1 and num_experts ({experts}).");
        if (step < 1)
            throw config.Invalid($"decoder_sparse_step ({step}) must be at least 1.");
        return new QwenExpertsConfig(
            experts,
            perToken,
            config.Int("moe_intermediate_size", defaults.ExpertIntermediateSize),
            config.Bool("norm_topk_prob", defaults.NormalizeTopK),
            step,
            ReadLayerList(json, config, "mlp_only_layers", layers),
            config.Int("shared_expert_intermediate_size", defaults.SharedExpertIntermediateSize));
    }

    /// <summary>
    /// The Qwen MoE configs take a sliding window only with use_sliding_window, which no released checkpoint sets, and
    /// transformers versions disagree on which layers it then applies to; refused rather than guessed.
    /// </summary>
    internal static void RefuseSlidingWindow(ConfigReader config)
    {
        if (config.Bool("use_sliding_window", false))
            throw config.Invalid("use_sliding_window true is not supported for mixture-of-experts Qwen models; set it to false.");
    }

    private static HashSet<int> ReadLayerList(JsonObject json, ConfigReader config, string key, int layers)
    {
        if (json[key] is not { } node)
            return [];
        var list = node as JsonArray
            ?? throw config.Invalid($"'{key}' has the value {node.ToJsonString()}, which is not a list of layer numbers.");
        var result = new HashSet<int>();
        foreach (var item in list)
        {
            if (item is not JsonValue value || !value.TryGetValue<int>(out var layer) || layer < 0 || layer >= layers)
                throw config.Invalid($"'{key}' holds {item?.ToJsonString() ?? "null"}, which is not a layer number from 0 to {layers - 1}.");
            result.Add(layer);
        }
        return result;
    }
}

/// <summary>
/// HF <c>Qwen2MoeSparseMoeBlock</c>: the router <c>gate</c>, the routed <c>experts</c> (Llama MLPs of
/// moe_intermediate_size), and the <c>shared_expert</c> (shared_expert_intermediate_size) gated per token by
/// sigmoid(<c>shared_expert_gate</c>(x)).
/// </summary>
internal sealed class Qwen2MoeSparseMoeBlock : nn.Module<Tensor, Tensor>
{
    private readonly Linear gate;
    private readonly ModuleList<LlamaMlp> experts;
    private readonly LlamaMlp shared_expert;
    private readonly Linear shared_expert_gate;
    private readonly QwenExpertsConfig _experts;

    public Qwen2MoeSparseMoeBlock(LlamaConfig config, QwenExpertsConfig experts) : base("mlp")
    {
        _experts = experts;
        gate = Layers.Linear(config.HiddenSize, experts.Experts, hasBias: false);
        var expert = config with { IntermediateSize = experts.ExpertIntermediateSize };
        this.experts = nn.ModuleList(Enumerable.Range(0, experts.Experts).Select(_ => new LlamaMlp(expert)).ToArray());
        shared_expert = new LlamaMlp(config with { IntermediateSize = experts.SharedExpertIntermediateSize });
        shared_expert_gate = Layers.Linear(config.HiddenSize, 1, hasBias: false);
        RegisterComponents();
    }

    public override Tensor forward(Tensor hidden)
    {
        var tokens = hidden.view(-1, hidden.shape[^1]);                                                // (N, C)
        var (weights, chosen) = ExpertRouting.Route(
            gate.forward(tokens), _experts.ExpertsPerToken, _experts.NormalizeTopK, tokens.dtype);    // (N, k) each
        var routed = ExpertRouting.Combine(tokens, weights, chosen, _experts.Experts, (e, x) => experts[e].forward(x));
        var shared = shared_expert_gate.forward(tokens).sigmoid() * shared_expert.forward(tokens);    // (N, C)
        return (routed.Plus(shared)).view(hidden.shape);
    }
}
