using System.Text.Json.Nodes;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace LogLikeMap.Scoring.Models;

/// <summary>
/// HF <c>Olmo2ForCausalLM</c>. Unlike Llama: no norm before attention or MLP, an RMSNorm after each instead
/// (x + post_attention_layernorm(attn(x)), then h + post_feedforward_layernorm(mlp(h))); q and k pass an RMSNorm over
/// the whole projection (all heads together, <c>q_norm</c> of size heads x head_dim) before they are split into heads;
/// the RMSNorm multiplies by its weight in float32 before casting back; rope is applied in float32.
/// </summary>
public sealed class Olmo2 : CausalLanguageModel
{
    public static ModelArchitecture Architecture { get; } = new("olmo2", "model.", json => new Olmo2(ReadConfig(json)));

    /// <summary>Reads an <c>olmo2</c> config.json with the defaults of HF's <c>Olmo2Config</c>.</summary>
    public static LlamaConfig ReadConfig(JsonObject json)
    {
        var config = new ConfigReader(json, "olmo2");
        var attentionBias = config.Bool("attention_bias", false);
        return LlamaConfig.Read(config, defaults: new LlamaConfig(
            VocabularySize: 50304, HiddenSize: 4096, IntermediateSize: 11008, Layers: 32, Heads: 32, KeyValueHeads: 32,
            HeadDimensions: 128, MaxPositions: 2048, RmsNormEpsilon: 1e-5, RopeTheta: 10000.0, RopeScaling: null,
            HiddenActivation: "silu", QkvBias: attentionBias, OutputBias: attentionBias, MlpBias: false,
            TieWordEmbeddings: false, SlidingWindow: null, FirstSlidingWindowLayer: 0, InitializerRange: 0.02));
    }

    private readonly LlamaConfig _config;
    private readonly Olmo2Decoder model;
    private readonly Linear? lm_head;

    public Olmo2(LlamaConfig config) : base(nameof(Olmo2))
    {
        _config = config;
        model = new Olmo2Decoder(config);
        if (!config.TieWordEmbeddings)
            lm_head = Layers.Linear(config.HiddenSize, config.VocabularySize, hasBias: false);
        RegisterComponents();
    }

    public override int MaxPositions => _config.MaxPositions;

    public override long VocabularySize => _config.VocabularySize;

    protected override double InitializerRange => _config.InitializerRange;

    public override Tensor HiddenStates(Tensor inputIds) => model.forward(inputIds);

    public override Tensor OutputEmbeddings => lm_head?.weight ?? model.InputEmbeddings;
}

/// <summary>HF <c>Olmo2Model</c>: embeddings, decoder layers, final RMSNorm.</summary>
internal sealed class Olmo2Decoder : nn.Module<Tensor, Tensor>
{
    private readonly EmbeddingTable embed_tokens;
    private readonly ModuleList<Olmo2DecoderLayer> layers;
    private readonly Olmo2RmsNorm norm;
    private readonly RotaryEmbedding _rotary;

    public Olmo2Decoder(LlamaConfig config) : base("model")
    {
        embed_tokens = Layers.Embedding(config.VocabularySize, config.HiddenSize);
        layers = nn.ModuleList(Enumerable.Range(0, config.Layers).Select(i => new Olmo2DecoderLayer(config, i)).ToArray());
        norm = new Olmo2RmsNorm(config.HiddenSize, config.RmsNormEpsilon);
        _rotary = RotaryEmbedding.Create(config.HeadDimensions, config.RopeTheta, config.RopeScaling);
        RegisterComponents();
    }

    /// <summary>The token embedding matrix (V, C), which a tied head reuses.</summary>
    public Tensor InputEmbeddings => embed_tokens.Weight;

    public override Tensor forward(Tensor inputIds)
    {
        var hidden = embed_tokens.forward(inputIds);                                                    // (B, T, C)
        // Olmo2RotaryEmbedding returns cos and sin in float32 whatever the model's dtype.
        var (cos, sin) = _rotary.Angles(inputIds.shape[1], hidden.device, ScalarType.Float32);       // (T, hd) each
        var context = new AttentionContext(cos, sin, Mask: null);
        foreach (var layer in layers)
        {
            // Each layer's intermediates (and its input) are freed when it returns, as in LlamaDecoder.
            using var layerScope = NewDisposeScope();
            var next = layer.forward(hidden, context).MoveToOuterDisposeScope();
            hidden.Dispose();
            hidden = next;
        }
        return norm.forward(hidden);
    }
}

/// <summary>HF <c>Olmo2DecoderLayer</c>: the norms come after attention and after the MLP, inside the residuals.</summary>
internal sealed class Olmo2DecoderLayer : nn.Module<Tensor, AttentionContext, Tensor>
{
    private readonly Olmo2Attention self_attn;
    private readonly LlamaMlp mlp;
    private readonly Olmo2RmsNorm post_attention_layernorm;
    private readonly Olmo2RmsNorm post_feedforward_layernorm;

    public Olmo2DecoderLayer(LlamaConfig config, int index) : base($"layers.{index}")
    {
        self_attn = new Olmo2Attention(config);
        mlp = new LlamaMlp(config);
        post_attention_layernorm = new Olmo2RmsNorm(config.HiddenSize, config.RmsNormEpsilon);
        post_feedforward_layernorm = new Olmo2RmsNorm(config.HiddenSize, config.RmsNormEpsilon);
        RegisterComponents();
    }

    public override Tensor forward(Tensor hidden, AttentionContext context)
    {
        hidden = hidden.Plus(post_attention_layernorm.forward(self_attn.forward(hidden, context)));
        return hidden.Plus(post_feedforward_layernorm.forward(mlp.forward(hidden)));
    }
}

/// <summary>HF <c>Olmo2Attention</c>: q and k normed over all their heads at once, then split, rotated, attended.</summary>
internal sealed class Olmo2Attention : nn.Module<Tensor, AttentionContext, Tensor>
{
    private readonly Linear q_proj;
    private readonly Linear k_proj;
    private readonly Linear v_proj;
    private readonly Linear o_proj;
    private readonly Olmo2RmsNorm q_norm;
    private readonly Olmo2RmsNorm k_norm;
    private readonly int _heads;
    private readonly int _keyValueHeads;
    private readonly int _headDimensions;

    public Olmo2Attention(LlamaConfig config) : base("self_attn")
    {
        _heads = config.Heads;
        _keyValueHeads = config.KeyValueHeads;
        _headDimensions = config.HeadDimensions;
        q_proj = Layers.Linear(config.HiddenSize, _heads * _headDimensions, hasBias: config.QkvBias);
        k_proj = Layers.Linear(config.HiddenSize, _keyValueHeads * _headDimensions, hasBias: config.QkvBias);
        v_proj = Layers.Linear(config.HiddenSize, _keyValueHeads * _headDimensions, hasBias: config.QkvBias);
        o_proj = Layers.Linear(_heads * _headDimensions, config.HiddenSize, hasBias: config.OutputBias);
        q_norm = new Olmo2RmsNorm(_heads * _headDimensions, config.RmsNormEpsilon);
        k_norm = new Olmo2RmsNorm(_keyValueHeads * _headDimensions, config.RmsNormEpsilon);
        RegisterComponents();
    }

    public override Tensor forward(Tensor hidden, AttentionContext context)
    {
        var (b, t) = (hidden.shape[0], hidden.shape[1]);
        var q = q_norm.forward(q_proj.forward(hidden)).view(b, t, _heads, _headDimensions).transpose(1, 2);          // (B, nh, T, hd)
        var k = k_norm.forward(k_proj.forward(hidden)).view(b, t, _keyValueHeads, _headDimensions).transpose(1, 2);  // (B, nkv, T, hd)
        var v = v_proj.forward(hidden).view(b, t, _keyValueHeads, _headDimensions).transpose(1, 2);                  // (B, nkv, T, hd)
        // cos and sin are float32, so the rotation runs in float32 and is cast back, as Olmo2's apply_rotary_pos_emb.
        q = RotaryEmbedding.Apply(q, context.Cos, context.Sin).to(v.dtype);
        k = RotaryEmbedding.Apply(k, context.Cos, context.Sin).to(v.dtype);
        k = KeyValueHeads.Repeat(k, _heads / _keyValueHeads);                                                         // (B, nh, T, hd)
        v = KeyValueHeads.Repeat(v, _heads / _keyValueHeads);
        var y = nn.functional.scaled_dot_product_attention(q, k, v, is_casual: true);                                 // (B, nh, T, hd)
        return o_proj.forward(y.transpose(1, 2).reshape(b, t, _heads * _headDimensions));
    }
}

/// <summary>
/// HF <c>Olmo2RMSNorm</c>: x / sqrt(mean(x^2) + eps) in float32, multiplied by the weight still in float32 and only
/// then cast back (Llama's RMSNorm casts before the weight).
/// </summary>
internal sealed class Olmo2RmsNorm : nn.Module<Tensor, Tensor>
{
    private readonly Parameter weight;
    private readonly double _epsilon;

    public Olmo2RmsNorm(long size, double epsilon) : base("norm")
    {
        weight = Layers.Ones(size);
        _epsilon = epsilon;
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        var h = x.to(ScalarType.Float32);
        h = h * rsqrt(h.Squared().mean([-1], keepdim: true).Plus(_epsilon));
        return (weight * h).to(x.dtype);
    }
}
