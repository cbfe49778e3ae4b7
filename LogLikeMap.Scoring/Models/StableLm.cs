using System.Text.Json.Nodes;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace LogLikeMap.Scoring.Models;

/// <summary>The shape of a StableLM model (HF <c>StableLmConfig</c>).</summary>
/// <param name="PartialRotaryFactor">Fraction of each head's features that rotate (<c>partial_rotary_factor</c>).</param>
/// <param name="QkvBias"><c>use_qkv_bias</c>: biases on q_proj, k_proj and v_proj (never on o_proj).</param>
/// <param name="QkLayerNorm"><c>qk_layernorm</c>: a LayerNorm (no bias) of its own for each head of q and of k.</param>
/// <param name="ParallelResidual"><c>use_parallel_residual</c>: x + attn(ln(x)) + mlp(ln(x)), one norm, instead of sequential residuals.</param>
public sealed record StableLmConfig(
    int VocabularySize,
    int HiddenSize,
    int IntermediateSize,
    int Layers,
    int Heads,
    int KeyValueHeads,
    int MaxPositions,
    double LayerNormEpsilon,
    double RopeTheta,
    RopeScaling? RopeScaling,
    double PartialRotaryFactor,
    string HiddenActivation,
    bool QkvBias,
    bool QkLayerNorm,
    bool ParallelResidual,
    bool TieWordEmbeddings,
    double InitializerRange)
{
    public int HeadDimensions => HiddenSize / Heads;

    /// <summary>rotary_ndims = int(head_dim * partial_rotary_factor).</summary>
    public int RotaryDimensions => (int)(HeadDimensions * PartialRotaryFactor);

    /// <summary>Reads a <c>stablelm</c> config.json with the defaults of HF's <c>StableLmConfig</c>.</summary>
    public static StableLmConfig FromJson(JsonObject json)
    {
        var config = new ConfigReader(json, "stablelm");
        var hidden = config.Int("hidden_size", 2560);
        var heads = config.Int("num_attention_heads", 32);
        var keyValueHeads = config.Int("num_key_value_heads", 32);
        if (heads <= 0 || hidden % heads != 0)
            throw config.Invalid($"hidden_size ({hidden}) is not divisible by num_attention_heads ({heads}).");
        if (keyValueHeads <= 0 || heads % keyValueHeads != 0)
            throw config.Invalid($"num_attention_heads ({heads}) must be a positive multiple of num_key_value_heads ({keyValueHeads}).");
        var partialRotaryFactor = config.Double("partial_rotary_factor", 0.25);
        if (partialRotaryFactor is <= 0 or > 1)
            throw config.Invalid($"partial_rotary_factor ({partialRotaryFactor}) must lie in (0, 1].");
        return new StableLmConfig(
            VocabularySize: config.Int("vocab_size", 50304),
            HiddenSize: hidden,
            IntermediateSize: config.Int("intermediate_size", 6912),
            Layers: config.Int("num_hidden_layers", 32),
            Heads: heads,
            KeyValueHeads: keyValueHeads,
            MaxPositions: config.Int("max_position_embeddings", 4096),
            LayerNormEpsilon: config.Double("layer_norm_eps", 1e-5),
            RopeTheta: config.Double("rope_theta", 10000.0),
            RopeScaling: RopeScaling.Read(config),
            PartialRotaryFactor: partialRotaryFactor,
            HiddenActivation: config.String("hidden_act", "silu"),
            QkvBias: config.Bool("use_qkv_bias", false),
            QkLayerNorm: config.Bool("qk_layernorm", false),
            ParallelResidual: config.Bool("use_parallel_residual", false),
            TieWordEmbeddings: config.Bool("tie_word_embeddings", false),
            InitializerRange: config.Double("initializer_range", 0.02));
    }
}

/// <summary>
/// HF <c>StableLmForCausalLM</c> (StableLM 3B-4E1T, StableLM 2): Llama's layout with LayerNorms (weight and bias) in
/// place of RMSNorms, rope on only the first rotary_ndims features of each head, optional q/k/v biases, optional per-head
/// q/k LayerNorms, and optionally GPT-NeoX's parallel residual.
/// </summary>
public sealed class StableLm : CausalLanguageModel
{
    public static ModelArchitecture Architecture { get; } = new("stablelm", "model.", json => new StableLm(StableLmConfig.FromJson(json)));

    private readonly StableLmConfig _config;
    private readonly StableLmDecoder model;
    private readonly Linear? lm_head;

    public StableLm(StableLmConfig config) : base(nameof(StableLm))
    {
        _config = config;
        model = new StableLmDecoder(config);
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

/// <summary>HF <c>StableLmModel</c>: embeddings, decoder layers, final LayerNorm.</summary>
internal sealed class StableLmDecoder : nn.Module<Tensor, Tensor>
{
    private readonly EmbeddingTable embed_tokens;
    private readonly ModuleList<StableLmDecoderLayer> layers;
    private readonly LayerNorm norm;
    private readonly RotaryEmbedding _rotary;

    public StableLmDecoder(StableLmConfig config) : base("model")
    {
        embed_tokens = Layers.Embedding(config.VocabularySize, config.HiddenSize);
        layers = nn.ModuleList(Enumerable.Range(0, config.Layers).Select(i => new StableLmDecoderLayer(config, i)).ToArray());
        norm = Layers.LayerNorm(config.HiddenSize, config.LayerNormEpsilon);
        _rotary = RotaryEmbedding.Create(config.RotaryDimensions, config.RopeTheta, config.RopeScaling);
        RegisterComponents();
    }

    /// <summary>The token embedding matrix (V, C), which a tied head reuses.</summary>
    public Tensor InputEmbeddings => embed_tokens.Weight;

    public override Tensor forward(Tensor inputIds)
    {
        var hidden = embed_tokens.forward(inputIds);                                                    // (B, T, C)
        var (cos, sin) = _rotary.Angles(inputIds.shape[1], hidden.device, hidden.dtype);              // (T, rot) each
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

/// <summary>
/// HF <c>StableLmDecoderLayer</c>: attention after <c>input_layernorm</c>; the MLP after <c>post_attention_layernorm</c>
/// of the updated stream, or, with the parallel residual, on the same normed input as attention (and no second norm).
/// </summary>
internal sealed class StableLmDecoderLayer : nn.Module<Tensor, AttentionContext, Tensor>
{
    private readonly StableLmAttention self_attn;
    private readonly LlamaMlp mlp;
    private readonly LayerNorm input_layernorm;
    private readonly LayerNorm? post_attention_layernorm;

    public StableLmDecoderLayer(StableLmConfig config, int index) : base($"layers.{index}")
    {
        self_attn = new StableLmAttention(config);
        // StableLmMLP is Mistral's gated MLP without biases.
        mlp = new LlamaMlp(new LlamaConfig(
            config.VocabularySize, config.HiddenSize, config.IntermediateSize, config.Layers, config.Heads, config.KeyValueHeads,
            config.HeadDimensions, config.MaxPositions, config.LayerNormEpsilon, config.RopeTheta, config.RopeScaling,
            config.HiddenActivation, QkvBias: false, OutputBias: false, MlpBias: false, config.TieWordEmbeddings,
            SlidingWindow: null, FirstSlidingWindowLayer: 0, config.InitializerRange));
        input_layernorm = Layers.LayerNorm(config.HiddenSize, config.LayerNormEpsilon);
        if (!config.ParallelResidual)
            post_attention_layernorm = Layers.LayerNorm(config.HiddenSize, config.LayerNormEpsilon);
        RegisterComponents();
    }

    public override Tensor forward(Tensor hidden, AttentionContext context)
    {
        var normed = input_layernorm.forward(hidden);
        var attended = self_attn.forward(normed, context);
        if (post_attention_layernorm is null)
            return hidden.Plus(attended).Plus(mlp.forward(normed));                                            // x + attn(ln1(x)) + mlp(ln1(x))
        hidden = hidden.Plus(attended);
        return hidden.Plus(mlp.forward(post_attention_layernorm.forward(hidden)));
    }
}

/// <summary>
/// HF <c>StableLmAttention</c>: grouped-query attention, the optional per-head LayerNorms on q and k, then rope on the
/// first rotary_ndims features of each head only (the rest pass through), as GPT-NeoX's partial rotary.
/// </summary>
internal sealed class StableLmAttention : nn.Module<Tensor, AttentionContext, Tensor>
{
    private readonly Linear q_proj;
    private readonly Linear k_proj;
    private readonly Linear v_proj;
    private readonly Linear o_proj;
    private readonly StableLmLayerNormPerHead? q_layernorm;
    private readonly StableLmLayerNormPerHead? k_layernorm;
    private readonly int _heads;
    private readonly int _keyValueHeads;
    private readonly int _headDimensions;

    public StableLmAttention(StableLmConfig config) : base("self_attn")
    {
        _heads = config.Heads;
        _keyValueHeads = config.KeyValueHeads;
        _headDimensions = config.HeadDimensions;
        q_proj = Layers.Linear(config.HiddenSize, _heads * _headDimensions, hasBias: config.QkvBias);
        k_proj = Layers.Linear(config.HiddenSize, _keyValueHeads * _headDimensions, hasBias: config.QkvBias);
        v_proj = Layers.Linear(config.HiddenSize, _keyValueHeads * _headDimensions, hasBias: config.QkvBias);
        o_proj = Layers.Linear(config.HiddenSize, config.HiddenSize, hasBias: false);
        if (config.QkLayerNorm)
        {
            q_layernorm = new StableLmLayerNormPerHead(_headDimensions, _heads, config.LayerNormEpsilon);
            k_layernorm = new StableLmLayerNormPerHead(_headDimensions, _keyValueHeads, config.LayerNormEpsilon);
        }
        RegisterComponents();
    }

    public override Tensor forward(Tensor hidden, AttentionContext context)
    {
        var (b, t) = (hidden.shape[0], hidden.shape[1]);
        var q = q_proj.forward(hidden).view(b, t, _heads, _headDimensions).transpose(1, 2);          // (B, nh, T, hd)
        var k = k_proj.forward(hidden).view(b, t, _keyValueHeads, _headDimensions).transpose(1, 2);  // (B, nkv, T, hd)
        var v = v_proj.forward(hidden).view(b, t, _keyValueHeads, _headDimensions).transpose(1, 2);  // (B, nkv, T, hd)
        if (q_layernorm is not null && k_layernorm is not null)
        {
            q = q_layernorm.forward(q);
            k = k_layernorm.forward(k);
        }
        q = RotateLeadingFeatures(q, context);
        k = RotateLeadingFeatures(k, context);
        k = KeyValueHeads.Repeat(k, _heads / _keyValueHeads);                                         // (B, nh, T, hd)
        v = KeyValueHeads.Repeat(v, _heads / _keyValueHeads);
        var y = nn.functional.scaled_dot_product_attention(q, k, v, is_casual: true);                 // (B, nh, T, hd)
        return o_proj.forward(y.transpose(1, 2).reshape(b, t, _heads * _headDimensions));
    }

    /// <summary>Rope on the first rotary_ndims features of each head (cos/sin are that wide), the rest unchanged.</summary>
    private static Tensor RotateLeadingFeatures(Tensor x, AttentionContext context)
    {
        var rotary = context.Cos.shape[^1];
        var rotated = RotaryEmbedding.Apply(x.narrow(-1, 0, rotary), context.Cos, context.Sin);      // (B, h, T, rot)
        return cat([rotated, x.narrow(-1, rotary, x.shape[^1] - rotary)], -1);                       // (B, h, T, hd)
    }
}

/// <summary>
/// HF <c>StableLmLayerNormPerHead</c>: head h of (B, heads, T, hd) normalised by its own LayerNorm <c>norms.h</c>,
/// which has a weight and no bias.
/// </summary>
internal sealed class StableLmLayerNormPerHead : nn.Module<Tensor, Tensor>
{
    private readonly ModuleList<HeadLayerNorm> norms;

    public StableLmLayerNormPerHead(int headDimensions, int heads, double epsilon) : base("layernorm")
    {
        norms = nn.ModuleList(Enumerable.Range(0, heads).Select(_ => new HeadLayerNorm(headDimensions, epsilon)).ToArray());
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        var heads = x.split(1, 1);                                                                    // heads x (B, 1, T, hd)
        return cat(heads.Select((head, h) => norms[h].forward(head)).ToArray(), 1);                  // (B, heads, T, hd)
    }
}

/// <summary><c>Layers.LayerNorm(dim, bias=False)</c>: (x - mean) / sqrt(var + eps) * weight over the last dimension.</summary>
internal sealed class HeadLayerNorm : nn.Module<Tensor, Tensor>
{
    private readonly Parameter weight;
    private readonly double _epsilon;

    public HeadLayerNorm(long size, double epsilon) : base("norm")
    {
        weight = Layers.Ones(size);
        _epsilon = epsilon;
        RegisterComponents();
    }

    public override Tensor forward(Tensor x) => nn.functional.layer_norm(x, [weight.shape[0]], weight, null, _epsilon);
}
