using System.Text.Json.Nodes;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace LogLikeMap.Scoring.Models;

/// <summary>
/// HF <c>Qwen3MoeForCausalLM</c>: Qwen3's attention (per-head q/k RMSNorm, no biases) with a sparse mixture of experts
/// in place of the MLP on the layers <see cref="QwenExpertsConfig.IsSparse"/> picks; unlike Qwen2-MoE, no shared expert.
/// </summary>
public static class Qwen3Moe
{
    public static ModelArchitecture Architecture { get; } = new("qwen3_moe", "model.", json =>
    {
        var (config, experts) = ReadConfig(json);
        return new RotaryDecoderModel(nameof(Qwen3Moe), config, i => new PreNormDecoderLayer(
            config, i, new Qwen3Attention(config),
            experts.IsSparse(i) ? new Qwen3MoeSparseMoeBlock(config, experts) : new LlamaMlp(config)));
    });

    /// <summary>Reads a <c>qwen3_moe</c> config.json with the defaults of HF's <c>Qwen3MoeConfig</c>.</summary>
    public static (LlamaConfig Model, QwenExpertsConfig Experts) ReadConfig(JsonObject json)
    {
        var config = new ConfigReader(json, "qwen3_moe");
        QwenExpertsConfig.RefuseSlidingWindow(config);
        var attentionBias = config.Bool("attention_bias", false);
        // Qwen3MoeConfig has no head_dim default of its own: the attention takes head_dim or hidden_size / heads.
        var model = LlamaConfig.Read(config, defaults: new LlamaConfig(
            VocabularySize: 151936, HiddenSize: 2048, IntermediateSize: 6144, Layers: 24, Heads: 32, KeyValueHeads: 4,
            HeadDimensions: 64, MaxPositions: 32768, RmsNormEpsilon: 1e-6, RopeTheta: 10000.0, RopeScaling: null,
            HiddenActivation: "silu", QkvBias: attentionBias, OutputBias: attentionBias, MlpBias: false,
            TieWordEmbeddings: false, SlidingWindow: null, FirstSlidingWindowLayer: 0, InitializerRange: 0.02));
        var experts = QwenExpertsConfig.Read(json, config, model.Layers, new QwenExpertsConfig(
            Experts: 128, ExpertsPerToken: 8, ExpertIntermediateSize: 768, NormalizeTopK: false, DecoderSparseStep: 1,
            MlpOnlyLayers: new HashSet<int>(), SharedExpertIntermediateSize: 0));
        return (model, experts);
    }
}

/// <summary>HF <c>Qwen3MoeSparseMoeBlock</c>: the router <c>gate</c> and the routed <c>experts</c> (Llama MLPs of moe_intermediate_size).</summary>
internal sealed class Qwen3MoeSparseMoeBlock : nn.Module<Tensor, Tensor>
{
    private readonly Linear gate;
    private readonly ModuleList<LlamaMlp> experts;
    private readonly QwenExpertsConfig _experts;

    public Qwen3MoeSparseMoeBlock(LlamaConfig config, QwenExpertsConfig experts) : base("mlp")
    {
        _experts = experts;
        gate = Layers.Linear(config.HiddenSize, experts.Experts, hasBias: false);
        var expert = config with { IntermediateSize = experts.ExpertIntermediateSize };
        this.experts = nn.ModuleList(Enumerable.Range(0, experts.Experts).Select(_ => new LlamaMlp(expert)).ToArray());
        RegisterComponents();
    }

    public override Tensor forward(Tensor hidden)
    {
        var tokens = hidden.view(-1, hidden.shape[^1]);                                                // (N, C)
        var (weights, chosen) = ExpertRouting.Route(
            gate.forward(tokens), _experts.ExpertsPerToken, _experts.NormalizeTopK, tokens.dtype);    // (N, k) each
        var routed = ExpertRouting.Combine(tokens, weights, chosen, _experts.Experts, (e, x) => experts[e].forward(x));
        return routed.view(hidden.shape);
    }
}
