using System.Text.Json.Nodes;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace LogLikeMap.Scoring.Models;

/// <summary>
/// HF <c>Qwen3ForCausalLM</c>: the Llama network with an RMSNorm over each head's features of q and k (<c>q_norm</c>,
/// <c>k_norm</c>, weights of size head_dim) before rope, no q/k/v biases unless <c>attention_bias</c>, an explicit
/// <c>head_dim</c> (128 by default, not hidden_size / heads), and Qwen2's optional sliding window.
/// </summary>
public static class Qwen3
{
    public static ModelArchitecture Architecture { get; } = new("qwen3", "model.", json =>
    {
        var config = ReadConfig(json);
        return new RotaryDecoderModel(nameof(Qwen3), config,
            i => new PreNormDecoderLayer(config, i, new Qwen3Attention(config), new LlamaMlp(config)));
    });

    /// <summary>Reads a <c>qwen3</c> config.json with the defaults of HF's <c>Qwen3Config</c>.</summary>
    public static LlamaConfig ReadConfig(JsonObject json)
    {
        var config = new ConfigReader(json, "qwen3");
        var attentionBias = config.Bool("attention_bias", false);
        var read = LlamaConfig.Read(config, defaults: new LlamaConfig(
            VocabularySize: 151936, HiddenSize: 4096, IntermediateSize: 22016, Layers: 32, Heads: 32, KeyValueHeads: 32,
            HeadDimensions: 128, MaxPositions: 32768, RmsNormEpsilon: 1e-6, RopeTheta: 10000.0, RopeScaling: null,
            HiddenActivation: "silu", QkvBias: attentionBias, OutputBias: attentionBias, MlpBias: false,
            TieWordEmbeddings: false, SlidingWindow: null, FirstSlidingWindowLayer: 0, InitializerRange: 0.02));
        // Qwen3Config: sliding_window counts only with use_sliding_window, and then from layer max_window_layers on.
        var window = config.Bool("use_sliding_window", false) ? config.Int("sliding_window", 4096) : (int?)null;
        var firstWindowLayer = config.Int("max_window_layers", 28);
        QwenLayerTypes.Check(json, config, read.Layers, i => window is not null && i >= firstWindowLayer);
        return read with
        {
            HeadDimensions = config.Int("head_dim", 128),
            SlidingWindow = window,
            FirstSlidingWindowLayer = firstWindowLayer,
        };
    }
}

/// <summary>
/// The Qwen configs' optional <c>layer_types</c> list ("full_attention" or "sliding_attention" per layer), which newer
/// transformers writes from the other window keys: one that says otherwise is refused rather than guessed at.
/// </summary>
internal static class QwenLayerTypes
{
    public static void Check(JsonObject json, ConfigReader config, int layers, Func<int, bool> sliding)
    {
        if (json["layer_types"] is not { } node)
            return;
        if (node is not JsonArray types)
            throw config.Invalid($"'layer_types' has the value {node.ToJsonString()}, which is not a list.");
        var expected = Enumerable.Range(0, layers).Select(i => sliding(i) ? "sliding_attention" : "full_attention").ToArray();
        var given = types.Select(t => t?.ToString() ?? "null").ToArray();
        if (!given.SequenceEqual(expected))
        {
            throw config.Invalid(
                $"layer_types [{string.Join(", ", given)}] differs from what use_sliding_window, sliding_window and " +
                $"max_window_layers give ([{string.Join(", ", expected)}]); such a mix of layers is not supported.");
        }
    }
}

/// <summary>HF <c>Qwen3Attention</c>: Llama's grouped-query attention with RMSNorm on each head of q and k before rope.</summary>
internal sealed class Qwen3Attention : nn.Module<Tensor, AttentionContext, Tensor>
{
    private readonly Linear q_proj;
    private readonly Linear k_proj;
    private readonly Linear v_proj;
    private readonly Linear o_proj;
    private readonly RmsNorm q_norm;
    private readonly RmsNorm k_norm;
    private readonly int _heads;
    private readonly int _keyValueHeads;
    private readonly int _headDimensions;

    public Qwen3Attention(LlamaConfig config) : base("self_attn")
    {
        _heads = config.Heads;
        _keyValueHeads = config.KeyValueHeads;
        _headDimensions = config.HeadDimensions;
        q_proj = Layers.Linear(config.HiddenSize, _heads * _headDimensions, hasBias: config.QkvBias);
        k_proj = Layers.Linear(config.HiddenSize, _keyValueHeads * _headDimensions, hasBias: config.QkvBias);
        v_proj = Layers.Linear(config.HiddenSize, _keyValueHeads * _headDimensions, hasBias: config.QkvBias);
        o_proj = Layers.Linear(_heads * _headDimensions, config.HiddenSize, hasBias: config.OutputBias);
        // "unlike olmo, only on the head dim" (modeling_qwen3.py): one weight of size head_dim shared by all heads.
        q_norm = new RmsNorm(_headDimensions, config.RmsNormEpsilon);
        k_norm = new RmsNorm(_headDimensions, config.RmsNormEpsilon);
        RegisterComponents();
    }

    public override Tensor forward(Tensor hidden, AttentionContext context)
    {
        var (b, t) = (hidden.shape[0], hidden.shape[1]);
        var q = q_norm.forward(q_proj.forward(hidden).view(b, t, _heads, _headDimensions)).transpose(1, 2);          // (B, nh, T, hd)
        var k = k_norm.forward(k_proj.forward(hidden).view(b, t, _keyValueHeads, _headDimensions)).transpose(1, 2);  // (B, nkv, T, hd)
        var v = v_proj.forward(hidden).view(b, t, _keyValueHeads, _headDimensions).transpose(1, 2);                  // (B, nkv, T, hd)
        q = RotaryEmbedding.Apply(q, context.Cos, context.Sin);
        k = RotaryEmbedding.Apply(k, context.Cos, context.Sin);
        k = KeyValueHeads.Repeat(k, _heads / _keyValueHeads);                                                         // (B, nh, T, hd)
        v = KeyValueHeads.Repeat(v, _heads / _keyValueHeads);
        var y = context.Mask is null
            ? nn.functional.scaled_dot_product_attention(q, k, v, is_casual: true)
            : nn.functional.scaled_dot_product_attention(q, k, v, attn_mask: context.Mask);                          // (B, nh, T, hd)
        return o_proj.forward(y.transpose(1, 2).reshape(b, t, _heads * _headDimensions));
    }
}
