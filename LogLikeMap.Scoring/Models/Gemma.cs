using System.Text.Json.Nodes;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace LogLikeMap.Scoring.Models;

/// <summary>
/// The shape of a Gemma-family decoder (HF <c>GemmaConfig</c>, <c>Gemma2Config</c>, <c>Gemma3TextConfig</c>). Gemma 2
/// and Gemma 3 are the Gemma network with more norms, soft-capping, sliding layers and q/k norms (HF's
/// <c>modular_gemma2.py</c> and <c>modular_gemma3.py</c> derive them from Gemma), so their files build this record
/// and reuse the modules below.
/// </summary>
/// <param name="AttentionScale">The factor on q.k: head_dim^-1/2 in Gemma, query_pre_attn_scalar^-1/2 in Gemma 2 and 3.</param>
/// <param name="AttentionSoftCapping">Gemma 2's <c>attn_logit_softcapping</c> on the scaled scores; null: none.</param>
/// <param name="FinalLogitSoftCapping">Gemma 2's <c>final_logit_softcapping</c> on the head's logits; null: none.</param>
/// <param name="FeedForwardNorms">
/// Gemma 2 and 3: the attention output is normed (<c>post_attention_layernorm</c>) before its residual, and the MLP sits
/// between <c>pre_feedforward_layernorm</c> and <c>post_feedforward_layernorm</c>. Gemma: the Llama layout.
/// </param>
/// <param name="QueryKeyNorms">Gemma 3: <c>q_norm</c> and <c>k_norm</c> over each head before the rotation.</param>
/// <param name="SlidingLayers">For each layer, whether it attends through the sliding window (HF <c>layer_types</c>).</param>
/// <param name="SlidingWindow">Each token of a sliding layer attends to at most this many positions (itself included).</param>
/// <param name="LocalRopeTheta">Gemma 3's <c>rope_local_base_freq</c> for the sliding layers (unscaled); null: one rotary for all.</param>
public sealed record GemmaConfig(
    int VocabularySize,
    int HiddenSize,
    int IntermediateSize,
    int Layers,
    int Heads,
    int KeyValueHeads,
    int HeadDimensions,
    int MaxPositions,
    double RmsNormEpsilon,
    double RopeTheta,
    RopeScaling? RopeScaling,
    string HiddenActivation,
    bool AttentionBias,
    bool TieWordEmbeddings,
    double InitializerRange,
    double AttentionScale,
    double? AttentionSoftCapping,
    double? FinalLogitSoftCapping,
    bool FeedForwardNorms,
    bool QueryKeyNorms,
    IReadOnlyList<bool> SlidingLayers,
    int? SlidingWindow,
    double? LocalRopeTheta)
{
    /// <summary>Reads a <c>gemma</c> config.json with the defaults of HF's <c>GemmaConfig</c>.</summary>
    public static GemmaConfig FromJson(JsonObject json)
    {
        var config = new ConfigReader(json, "gemma");
        var layers = config.Int("num_hidden_layers", 28);
        var headDimensions = config.Int("head_dim", 256);
        return Read(config, new GemmaConfig(
            VocabularySize: 256000, HiddenSize: 3072, IntermediateSize: 24576, Layers: layers, Heads: 16, KeyValueHeads: 16,
            HeadDimensions: headDimensions, MaxPositions: 8192, RmsNormEpsilon: 1e-6, RopeTheta: 10000.0, RopeScaling: null,
            HiddenActivation: GemmaActivation(config), AttentionBias: false, TieWordEmbeddings: true, InitializerRange: 0.02,
            AttentionScale: 1.0 / Math.Sqrt(headDimensions), AttentionSoftCapping: null, FinalLogitSoftCapping: null,
            FeedForwardNorms: false, QueryKeyNorms: false, SlidingLayers: new bool[layers], SlidingWindow: null,
            LocalRopeTheta: null));
    }

    /// <summary>
    /// Gemma's activation: <c>hidden_activation</c> when set, else <c>hidden_act</c>, except that the first Gemma
    /// configs' <c>"hidden_act": "gelu"</c> means the tanh approximation the model was trained with (HF 4.38-4.46 ran
    /// them with <c>gelu_pytorch_tanh</c> whatever <c>hidden_act</c> said; PR 29402).
    /// </summary>
    private static string GemmaActivation(ConfigReader config)
    {
        const string tanhGelu = "gelu_pytorch_tanh";
        if (config.Has("hidden_activation"))
            return config.String("hidden_activation", tanhGelu);
        var hiddenAct = config.String("hidden_act", tanhGelu);
        return hiddenAct == "gelu" ? tanhGelu : hiddenAct;
    }

    /// <summary>
    /// The keys all Gemma configs share, each falling back to <paramref name="defaults"/>; the per-version fields
    /// (scale, capping, layer kinds, norms) come from the defaults, which the caller has already read.
    /// </summary>
    internal static GemmaConfig Read(ConfigReader config, GemmaConfig defaults)
    {
        var heads = config.Int("num_attention_heads", defaults.Heads);
        var keyValueHeads = config.Int("num_key_value_heads", defaults.KeyValueHeads);
        if (heads <= 0 || keyValueHeads <= 0 || heads % keyValueHeads != 0)
            throw config.Invalid($"num_attention_heads ({heads}) must be a positive multiple of num_key_value_heads ({keyValueHeads}).");
        if (config.Bool("use_bidirectional_attention", false))
            throw config.Invalid("use_bidirectional_attention is true (an encoder such as EmbeddingGemma); only causal language models can be scored.");
        if (defaults.SlidingLayers.Count != defaults.Layers)
            throw config.Invalid($"layer_types lists {defaults.SlidingLayers.Count} layers, but num_hidden_layers is {defaults.Layers}.");
        return defaults with
        {
            VocabularySize = config.Int("vocab_size", defaults.VocabularySize),
            HiddenSize = config.Int("hidden_size", defaults.HiddenSize),
            IntermediateSize = config.Int("intermediate_size", defaults.IntermediateSize),
            Heads = heads,
            KeyValueHeads = keyValueHeads,
            MaxPositions = config.Int("max_position_embeddings", defaults.MaxPositions),
            RmsNormEpsilon = config.Double("rms_norm_eps", defaults.RmsNormEpsilon),
            RopeTheta = config.Double("rope_theta", defaults.RopeTheta),
            RopeScaling = RopeScaling.Read(config),
            AttentionBias = config.Bool("attention_bias", defaults.AttentionBias),
            TieWordEmbeddings = config.Bool("tie_word_embeddings", defaults.TieWordEmbeddings),
            InitializerRange = config.Double("initializer_range", defaults.InitializerRange),
        };
    }

    /// <summary>
    /// HF <c>layer_types</c> ("sliding_attention" or "full_attention" per layer) when present, else the pattern the
    /// caller gives: layer i slides unless (i + 1) is a multiple of <paramref name="pattern"/>.
    /// </summary>
    internal static bool[] ReadSlidingLayers(JsonObject json, ConfigReader config, int layers, int pattern)
    {
        if (pattern <= 0)
            throw config.Invalid($"sliding_window_pattern ({pattern}) must be positive.");
        if (json["layer_types"] is not { } node)
            return Enumerable.Range(0, layers).Select(i => (i + 1) % pattern != 0).ToArray();
        if (node is not JsonArray kinds)
            throw config.Invalid($"'layer_types' has the value {node.ToJsonString()}, which is not a list.");
        return kinds.Select(kind => (kind?.ToJsonString() ?? "null") switch
        {
            "\"sliding_attention\"" => true,
            "\"full_attention\"" => false,
            var other => throw config.Invalid($"layer_types has {other}; supported: \"sliding_attention\", \"full_attention\"."),
        }).ToArray();
    }
}

/// <summary>HF <c>GemmaForCausalLM</c> (and Gemma 2, Gemma 3 text): the decoder <c>model</c> and, when untied, <c>lm_head</c>.</summary>
public sealed class Gemma : CausalLanguageModel
{
    public static ModelArchitecture Architecture { get; } = new("gemma", "model.", json => new Gemma(GemmaConfig.FromJson(json)));

    private readonly GemmaConfig _config;
    private readonly GemmaDecoder model;
    private readonly Linear? lm_head;

    public Gemma(GemmaConfig config) : base(nameof(Gemma))
    {
        _config = config;
        model = new GemmaDecoder(config);
        if (!config.TieWordEmbeddings)
            lm_head = Layers.Linear(config.HiddenSize, config.VocabularySize, hasBias: false);
        RegisterComponents();
    }

    public override int MaxPositions => _config.MaxPositions;

    public override long VocabularySize => _config.VocabularySize;

    protected override double InitializerRange => _config.InitializerRange;

    public override double? FinalLogitSoftCapping => _config.FinalLogitSoftCapping;

    public override Tensor HiddenStates(Tensor inputIds) => model.forward(inputIds);

    public override Tensor OutputEmbeddings => lm_head?.weight ?? model.InputEmbeddings;
}

/// <summary>HF <c>GemmaModel</c>: scaled embeddings, decoder layers, final (1 + w) RMSNorm.</summary>
internal sealed class GemmaDecoder : nn.Module<Tensor, Tensor>
{
    private readonly EmbeddingTable embed_tokens;
    private readonly ModuleList<GemmaDecoderLayer> layers;
    private readonly GemmaRmsNorm norm;
    private readonly RotaryEmbedding _rotary;
    private readonly RotaryEmbedding _localRotary;
    private readonly GemmaConfig _config;

    public GemmaDecoder(GemmaConfig config) : base("model")
    {
        _config = config;
        embed_tokens = Layers.Embedding(config.VocabularySize, config.HiddenSize);
        layers = nn.ModuleList(Enumerable.Range(0, config.Layers).Select(i => new GemmaDecoderLayer(config, i)).ToArray());
        norm = new GemmaRmsNorm(config.HiddenSize, config.RmsNormEpsilon);
        _rotary = RotaryEmbedding.Create(config.HeadDimensions, config.RopeTheta, config.RopeScaling);
        // Gemma 3's sliding layers rotate with their own base and no scaling (its rotary_emb_local).
        _localRotary = config.LocalRopeTheta is { } localTheta
            ? RotaryEmbedding.Create(config.HeadDimensions, localTheta, scaling: null)
            : _rotary;
        RegisterComponents();
    }

    /// <summary>The token embedding matrix (V, C), which a tied head reuses.</summary>
    public Tensor InputEmbeddings => embed_tokens.Weight;

    public override Tensor forward(Tensor inputIds)
    {
        var positions = inputIds.shape[1];
        var hidden = embed_tokens.forward(inputIds);                                                    // (B, T, C)
        // sqrt(hidden_size) rounded to the model's dtype first, as HF does (55.4256 becomes 55.5 in bfloat16).
        hidden = hidden * tensor(Math.Sqrt(_config.HiddenSize), hidden.dtype, hidden.device);
        var global = _rotary.Angles(positions, hidden.device, hidden.dtype);                          // (T, hd) each
        var local = ReferenceEquals(_localRotary, _rotary) ? global : _localRotary.Angles(positions, hidden.device, hidden.dtype);
        var window = SlidingWindowMask(positions, hidden.device);
        for (var i = 0; i < layers.Count; i++)
        {
            var context = _config.SlidingLayers[i]
                ? new AttentionContext(local.Cos, local.Sin, window)
                : new AttentionContext(global.Cos, global.Sin, Mask: null);
            // Free each layer's intermediates, and its input, when it returns (see LlamaDecoder).
            using var layerScope = NewDisposeScope();
            var next = layers[i].forward(hidden, context).MoveToOuterDisposeScope();
            hidden.Dispose();
            hidden = next;
        }
        return norm.forward(hidden);
    }

    /// <summary>
    /// The sliding layers' mask (HF <c>sliding_window_causal_mask</c>: query i sees key j when 0 &lt;= i - j &lt; window),
    /// or null when the window covers the whole sequence and plain causal attention is exact.
    /// </summary>
    private Tensor? SlidingWindowMask(long positions, Device device)
    {
        if (_config.SlidingWindow is not { } window || positions <= window)
            return null;
        var query = Arithmetic.Range(positions, ScalarType.Int64, device).unsqueeze(1);               // (T, 1)
        var key = Arithmetic.Range(positions, ScalarType.Int64, device).unsqueeze(0);                 // (1, T)
        var distance = query - key;                                                                    // (T, T)
        return distance.IsAtLeast(0).logical_and(distance.IsBelow(window));
    }
}

/// <summary>
/// HF <c>GemmaDecoderLayer</c>: pre-norm attention and pre-norm GeGLU MLP, each with a residual; Gemma 2 and 3 also norm
/// each block's output before its residual (<c>post_attention_layernorm</c>, <c>post_feedforward_layernorm</c>).
/// </summary>
internal sealed class GemmaDecoderLayer : nn.Module<Tensor, AttentionContext, Tensor>
{
    private readonly GemmaAttention self_attn;
    private readonly GemmaMlp mlp;
    private readonly GemmaRmsNorm input_layernorm;
    private readonly GemmaRmsNorm post_attention_layernorm;
    private readonly GemmaRmsNorm? pre_feedforward_layernorm;
    private readonly GemmaRmsNorm? post_feedforward_layernorm;

    public GemmaDecoderLayer(GemmaConfig config, int index) : base($"layers.{index}")
    {
        self_attn = new GemmaAttention(config);
        mlp = new GemmaMlp(config);
        input_layernorm = new GemmaRmsNorm(config.HiddenSize, config.RmsNormEpsilon);
        post_attention_layernorm = new GemmaRmsNorm(config.HiddenSize, config.RmsNormEpsilon);
        if (config.FeedForwardNorms)
        {
            pre_feedforward_layernorm = new GemmaRmsNorm(config.HiddenSize, config.RmsNormEpsilon);
            post_feedforward_layernorm = new GemmaRmsNorm(config.HiddenSize, config.RmsNormEpsilon);
        }
        RegisterComponents();
    }

    public override Tensor forward(Tensor hidden, AttentionContext context)
    {
        var attended = self_attn.forward(input_layernorm.forward(hidden), context);
        if (pre_feedforward_layernorm is null || post_feedforward_layernorm is null)
        {
            // Gemma: post_attention_layernorm is the MLP's pre-norm, as in Llama.
            hidden = hidden.Plus(attended);
            return hidden.Plus(mlp.forward(post_attention_layernorm.forward(hidden)));
        }
        hidden = hidden.Plus(post_attention_layernorm.forward(attended));
        return hidden.Plus(post_feedforward_layernorm.forward(mlp.forward(pre_feedforward_layernorm.forward(hidden))));
    }
}

/// <summary>
/// HF <c>GemmaAttention</c> / <c>Gemma2Attention</c> / <c>Gemma3Attention</c>: grouped-query attention with rotary
/// positions, Gemma 3's per-head q/k norms before the rotation, the configured scale, and Gemma 2's tanh soft-capping
/// of the scaled scores before the mask.
/// </summary>
internal sealed class GemmaAttention : nn.Module<Tensor, AttentionContext, Tensor>
{
    private readonly Linear q_proj;
    private readonly Linear k_proj;
    private readonly Linear v_proj;
    private readonly Linear o_proj;
    private readonly GemmaRmsNorm? q_norm;
    private readonly GemmaRmsNorm? k_norm;
    private readonly int _heads;
    private readonly int _keyValueHeads;
    private readonly int _headDimensions;
    private readonly double _scale;
    private readonly double? _softCap;

    public GemmaAttention(GemmaConfig config) : base("self_attn")
    {
        _heads = config.Heads;
        _keyValueHeads = config.KeyValueHeads;
        _headDimensions = config.HeadDimensions;
        _scale = config.AttentionScale;
        _softCap = config.AttentionSoftCapping;
        q_proj = Layers.Linear(config.HiddenSize, _heads * _headDimensions, hasBias: config.AttentionBias);
        k_proj = Layers.Linear(config.HiddenSize, _keyValueHeads * _headDimensions, hasBias: config.AttentionBias);
        v_proj = Layers.Linear(config.HiddenSize, _keyValueHeads * _headDimensions, hasBias: config.AttentionBias);
        o_proj = Layers.Linear(_heads * _headDimensions, config.HiddenSize, hasBias: config.AttentionBias);
        if (config.QueryKeyNorms)
        {
            q_norm = new GemmaRmsNorm(_headDimensions, config.RmsNormEpsilon);
            k_norm = new GemmaRmsNorm(_headDimensions, config.RmsNormEpsilon);
        }
        RegisterComponents();
    }

    public override Tensor forward(Tensor hidden, AttentionContext context)
    {
        var (b, t) = (hidden.shape[0], hidden.shape[1]);
        var q = q_proj.forward(hidden).view(b, t, _heads, _headDimensions).transpose(1, 2);          // (B, nh, T, hd)
        var k = k_proj.forward(hidden).view(b, t, _keyValueHeads, _headDimensions).transpose(1, 2);  // (B, nkv, T, hd)
        var v = v_proj.forward(hidden).view(b, t, _keyValueHeads, _headDimensions).transpose(1, 2);  // (B, nkv, T, hd)
        if (q_norm is not null && k_norm is not null)
        {
            q = q_norm.forward(q);
            k = k_norm.forward(k);
        }
        q = RotaryEmbedding.Apply(q, context.Cos, context.Sin);
        k = RotaryEmbedding.Apply(k, context.Cos, context.Sin);
        k = RepeatKeyValue(k, _heads / _keyValueHeads);                                               // (B, nh, T, hd)
        v = RepeatKeyValue(v, _heads / _keyValueHeads);
        var y = _softCap is { } cap ? CappedAttention(q, k, v, context.Mask, cap) : Attention(q, k, v, context.Mask);
        y = y.transpose(1, 2).reshape(b, t, _heads * _headDimensions);                                // (B, T, nh*hd)
        return o_proj.forward(y);
    }

    /// <summary>
    /// Softmax attention through libtorch's fused kernel, which scales by hd^-1/2: q is first multiplied by
    /// scale x sqrt(hd) (exactly 1, so skipped, whenever query_pre_attn_scalar equals head_dim).
    /// </summary>
    private Tensor Attention(Tensor q, Tensor k, Tensor v, Tensor? mask)
    {
        var correction = _scale * Math.Sqrt(_headDimensions);
        if (Math.Abs(correction - 1.0) > 1e-12)
            q = q.Times(correction);
        return mask is null
            ? nn.functional.scaled_dot_product_attention(q, k, v, is_casual: true)
            : nn.functional.scaled_dot_product_attention(q, k, v, attn_mask: mask);                   // (B, nh, T, hd)
    }

    /// <summary>
    /// HF's eager attention with soft-capping: scores = cap * tanh(q.k * scale / cap) in the model's dtype, then the
    /// causal (or sliding) mask, softmax in float32 cast back, times v. The fused kernel cannot cap, so this is explicit,
    /// in blocks of query rows: each block sees only the keys up to its last row (the later ones are all masked, so they
    /// would add exp(-inf) = 0), and the (B, nh, rows, keys) scores are freed block by block. Scoring the gemma2-softcap
    /// fixture (10 texts up to 1,024 tokens, 2 cores) took 56 s and 1.2 GB with whole (B, nh, T, T) scores, 35 s and 0.45 GB so.
    /// </summary>
    private Tensor CappedAttention(Tensor q, Tensor k, Tensor v, Tensor? mask, double cap)
    {
        const long QueryRowsPerBlock = 128;
        var t = q.shape[2];
        var allowed = mask ?? ones(t, t, ScalarType.Bool, q.device).tril();                          // (T, T)
        var blocks = new List<Tensor>();
        for (long start = 0; start < t; start += QueryRowsPerBlock)
        {
            // Each block's scores are freed before the next block's exist (autograd keeps what it needs).
            using var blockScope = NewDisposeScope();
            var rows = Math.Min(QueryRowsPerBlock, t - start);
            var keys = start + rows;
            var scores = SoftCapping.Apply(
                q.narrow(2, start, rows).matmul(k.narrow(2, 0, keys).transpose(2, 3)).Times(_scale), cap);  // (B, nh, rows, keys)
            var hidden = allowed.narrow(0, start, rows).narrow(1, 0, keys).logical_not();             // (rows, keys)
            var weights = scores.FilledWhere(hidden, double.NegativeInfinity).softmax(-1, ScalarType.Float32).to(q.dtype);
            blocks.Add(weights.matmul(v.narrow(2, 0, keys)).MoveToOuterDisposeScope());               // (B, nh, rows, hd)
        }
        return blocks.Count == 1 ? blocks[0] : cat(blocks, 2);                                         // (B, nh, T, hd)
    }

    /// <summary>HF <c>repeat_kv</c>: (B, nkv, T, hd) to (B, nkv*groups, T, hd), each key/value head serving <paramref name="groups"/> query heads.</summary>
    private static Tensor RepeatKeyValue(Tensor x, int groups)
    {
        if (groups == 1)
            return x;
        var (b, kv, t, d) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3]);
        return x.unsqueeze(2).expand(b, kv, groups, t, d).reshape(b, kv * groups, t, d);
    }
}

/// <summary>HF <c>GemmaMLP</c>: down_proj(act(gate_proj(x)) * up_proj(x)), GeGLU with tanh GELU in the releases.</summary>
internal sealed class GemmaMlp : nn.Module<Tensor, Tensor>
{
    private readonly Linear gate_proj;
    private readonly Linear up_proj;
    private readonly Linear down_proj;
    private readonly Func<Tensor, Tensor> _activation;

    public GemmaMlp(GemmaConfig config) : base("mlp")
    {
        gate_proj = Layers.Linear(config.HiddenSize, config.IntermediateSize, hasBias: false);
        up_proj = Layers.Linear(config.HiddenSize, config.IntermediateSize, hasBias: false);
        down_proj = Layers.Linear(config.IntermediateSize, config.HiddenSize, hasBias: false);
        _activation = Activations.Named(config.HiddenActivation);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x) => down_proj.forward(_activation(gate_proj.forward(x)) * up_proj.forward(x));
}

/// <summary>
/// HF <c>GemmaRMSNorm</c>: x / sqrt(mean(x^2) + eps) * (1 + weight), all of it in float32 and only then cast back
/// (Llama casts before the weight; Gemma after, PR 29402). The stored weight is centred on 0.
/// </summary>
internal sealed class GemmaRmsNorm : nn.Module<Tensor, Tensor>
{
    private readonly Parameter weight;
    private readonly double _epsilon;

    public GemmaRmsNorm(long size, double epsilon) : base("norm")
    {
        weight = Layers.Zeros(size);
        _epsilon = epsilon;
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        var h = x.to(ScalarType.Float32);
        h = h * rsqrt(h.Squared().mean([-1], keepdim: true).Plus(_epsilon));
        return (h * (weight.to(ScalarType.Float32).Plus(1.0))).to(x.dtype);
    }
}
