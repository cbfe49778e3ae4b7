using System.Text.Json.Nodes;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace LogLikeMap.Scoring.Models;

/// <summary>
/// HF <c>MixtralForCausalLM</c>: Mistral's attention (grouped-query, no biases, optional <c>sliding_window</c> on every
/// layer) with a sparse mixture of experts, <c>block_sparse_moe</c>, in place of every MLP: each token goes to its top
/// <c>num_experts_per_tok</c> of <c>num_local_experts</c> experts, weighted by the router's softmax renormalised over
/// the chosen ones. Keys are those of the released checkpoints (experts' <c>w1</c>, <c>w2</c>, <c>w3</c>).
/// </summary>
public static class Mixtral
{
    public static ModelArchitecture Architecture { get; } = new("mixtral", "model.", json =>
    {
        var (config, experts) = ReadConfig(json);
        return new RotaryDecoderModel(nameof(Mixtral), config, i => new MixtralDecoderLayer(config, experts, i));
    });

    /// <summary>Reads a <c>mixtral</c> config.json with the defaults of HF's <c>MixtralConfig</c>.</summary>
    public static (LlamaConfig Model, MixtralExpertsConfig Experts) ReadConfig(JsonObject json)
    {
        var config = new ConfigReader(json, "mixtral");
        var model = LlamaConfig.Read(config, defaults: new LlamaConfig(
            VocabularySize: 32000, HiddenSize: 4096, IntermediateSize: 14336, Layers: 32, Heads: 32, KeyValueHeads: 8,
            HeadDimensions: 128, MaxPositions: 4096 * 32, RmsNormEpsilon: 1e-5, RopeTheta: 1e6, RopeScaling: null,
            HiddenActivation: "silu", QkvBias: false, OutputBias: false, MlpBias: false, TieWordEmbeddings: false,
            SlidingWindow: config.Has("sliding_window") ? config.RequiredInt("sliding_window") : null,
            FirstSlidingWindowLayer: 0, InitializerRange: 0.02));
        var experts = config.Int("num_local_experts", 8);
        var perToken = config.Int("num_experts_per_tok", 2);
        if (experts < 1 || perToken < 1 || perToken > experts)
            throw config.Invalid($"num_experts_per_tok ({perToken}) must lie between 1 and num_local_experts ({experts}).");
        return (model, new MixtralExpertsConfig(experts, perToken));
    }
}

/// <summary>Mixtral's routing: <c>num_local_experts</c> experts per layer, <c>num_experts_per_tok</c> chosen for each token.</summary>
public sealed record MixtralExpertsConfig(int Experts, int ExpertsPerToken);

/// <summary>HF <c>MixtralDecoderLayer</c>: Llama's layer with <c>block_sparse_moe</c> where Llama has <c>mlp</c>.</summary>
internal sealed class MixtralDecoderLayer : nn.Module<Tensor, AttentionContext, Tensor>
{
    private readonly LlamaAttention self_attn;
    private readonly MixtralSparseMoeBlock block_sparse_moe;
    private readonly RmsNorm input_layernorm;
    private readonly RmsNorm post_attention_layernorm;

    public MixtralDecoderLayer(LlamaConfig config, MixtralExpertsConfig experts, int index) : base($"layers.{index}")
    {
        self_attn = new LlamaAttention(config);
        block_sparse_moe = new MixtralSparseMoeBlock(config, experts);
        input_layernorm = new RmsNorm(config.HiddenSize, config.RmsNormEpsilon);
        post_attention_layernorm = new RmsNorm(config.HiddenSize, config.RmsNormEpsilon);
        RegisterComponents();
    }

    public override Tensor forward(Tensor hidden, AttentionContext context)
    {
        hidden = hidden.Plus(self_attn.forward(input_layernorm.forward(hidden), context));
        return hidden.Plus(block_sparse_moe.forward(post_attention_layernorm.forward(hidden)));
    }
}

/// <summary>
/// HF <c>MixtralSparseMoeBlock</c>: router <c>gate</c>, then softmax over all experts (float32), top-k, and the k
/// weights divided by their sum (always, unlike the Qwen MoEs' norm_topk_prob). <c>router_jitter_noise</c> acts only in
/// training and is not read.
/// </summary>
internal sealed class MixtralSparseMoeBlock : nn.Module<Tensor, Tensor>
{
    private readonly Linear gate;
    private readonly ModuleList<MixtralExpert> experts;
    private readonly MixtralExpertsConfig _experts;

    public MixtralSparseMoeBlock(LlamaConfig config, MixtralExpertsConfig experts) : base("block_sparse_moe")
    {
        _experts = experts;
        gate = Layers.Linear(config.HiddenSize, experts.Experts, hasBias: false);
        this.experts = nn.ModuleList(Enumerable.Range(0, experts.Experts).Select(_ => new MixtralExpert(config)).ToArray());
        RegisterComponents();
    }

    public override Tensor forward(Tensor hidden)
    {
        var tokens = hidden.view(-1, hidden.shape[^1]);                                                // (N, C)
        var (weights, chosen) = ExpertRouting.Route(
            gate.forward(tokens), _experts.ExpertsPerToken, renormalise: true, tokens.dtype);         // (N, k) each
        var routed = ExpertRouting.Combine(tokens, weights, chosen, _experts.Experts, (e, x) => experts[e].forward(x));
        return routed.view(hidden.shape);
    }
}

/// <summary>HF <c>MixtralBlockSparseTop2MLP</c>: w2(act(w1(x)) * w3(x)), Llama's gate/down/up under other names.</summary>
internal sealed class MixtralExpert : nn.Module<Tensor, Tensor>
{
    private readonly Linear w1;
    private readonly Linear w2;
    private readonly Linear w3;
    private readonly Func<Tensor, Tensor> _activation;

    public MixtralExpert(LlamaConfig config) : base("expert")
    {
        w1 = Layers.Linear(config.HiddenSize, config.IntermediateSize, hasBias: false);
        w2 = Layers.Linear(config.IntermediateSize, config.HiddenSize, hasBias: false);
        w3 = Layers.Linear(config.HiddenSize, config.IntermediateSize, hasBias: false);
        _activation = Activations.Named(config.HiddenActivation);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x) => w2.forward(_activation(w1.forward(x)) * w3.forward(x));
}
