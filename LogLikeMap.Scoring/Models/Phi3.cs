using System.Text.Json;
using System.Text.Json.Nodes;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace LogLikeMap.Scoring.Models;

/// <summary>The shape of a Phi-3 / Phi-3.5 / Phi-4-mini decoder (HF <c>Phi3Config</c>).</summary>
/// <param name="RotaryDimensions">The leading features of each head that rotate: head_dim x <c>partial_rotary_factor</c>.</param>
/// <param name="RopeScaling">Null, or LongRoPE (<c>longrope</c>, formerly <c>su</c>) with its short and long factors.</param>
/// <param name="SlidingWindow">Each token attends to at most this many positions (itself included); null: all.</param>
public sealed record Phi3Config(
    int VocabularySize,
    int HiddenSize,
    int IntermediateSize,
    int Layers,
    int Heads,
    int KeyValueHeads,
    int HeadDimensions,
    int RotaryDimensions,
    int MaxPositions,
    double RmsNormEpsilon,
    double RopeTheta,
    RopeScaling? RopeScaling,
    string HiddenActivation,
    bool TieWordEmbeddings,
    int? SlidingWindow,
    double InitializerRange)
{
    /// <summary>Reads a <c>phi3</c> config.json with the defaults of HF's <c>Phi3Config</c>.</summary>
    public static Phi3Config FromJson(JsonObject json)
    {
        var config = new ConfigReader(json, "phi3");
        var hidden = config.Int("hidden_size", 3072);
        var heads = config.Int("num_attention_heads", 32);
        var keyValueHeads = config.Int("num_key_value_heads", heads);
        if (heads <= 0 || keyValueHeads <= 0 || heads % keyValueHeads != 0)
            throw config.Invalid($"num_attention_heads ({heads}) must be a positive multiple of num_key_value_heads ({keyValueHeads}).");
        if (!config.Has("head_dim") && hidden % heads != 0)
            throw config.Invalid($"hidden_size ({hidden}) is not divisible by num_attention_heads ({heads}).");
        var headDimensions = config.Int("head_dim", hidden / heads);
        var partialRotary = config.Double("partial_rotary_factor", 1.0);
        if (partialRotary is <= 0 or > 1)
            throw config.Invalid($"partial_rotary_factor ({partialRotary}) must lie in (0, 1].");
        // rotary_ndims = int(head_dim * partial_rotary_factor)
        var rotaryDimensions = (int)(headDimensions * partialRotary);
        var maxPositions = config.Int("max_position_embeddings", 4096);
        var window = config.OptionalInt("sliding_window");
        if (window is <= 0)
            throw config.Invalid($"sliding_window ({window}) must be positive.");
        return new Phi3Config(
            VocabularySize: config.Int("vocab_size", 32064),
            HiddenSize: hidden,
            IntermediateSize: config.Int("intermediate_size", 8192),
            Layers: config.Int("num_hidden_layers", 32),
            Heads: heads,
            KeyValueHeads: keyValueHeads,
            HeadDimensions: headDimensions,
            RotaryDimensions: rotaryDimensions,
            MaxPositions: maxPositions,
            RmsNormEpsilon: config.Double("rms_norm_eps", 1e-5),
            RopeTheta: config.Double("rope_theta", 10000.0),
            RopeScaling: ReadLongRope(config, rotaryDimensions, maxPositions, config.Int("original_max_position_embeddings", 4096)),
            HiddenActivation: config.String("hidden_act", "silu"),
            TieWordEmbeddings: config.Bool("tie_word_embeddings", false),
            SlidingWindow: window,
            InitializerRange: config.Double("initializer_range", 0.02));
    }

    /// <summary>
    /// Phi-3's <c>rope_scaling</c>: only LongRoPE (<c>Phi3Config</c> renames the older <c>su</c> and <c>yarn</c> to
    /// <c>longrope</c> and refuses other types). As in HF 4.x <c>_compute_longrope_parameters</c> for a config with
    /// <c>original_max_position_embeddings</c>: factor = max_position_embeddings / original_max_position_embeddings,
    /// and the attention factor, unless given, is sqrt(1 + ln(factor) / ln(original)) when factor &gt; 1, else 1.
    /// </summary>
    private static RopeScaling? ReadLongRope(ConfigReader config, int rotaryDimensions, int maxPositions, int originalMaxPositions)
    {
        var node = config.Object("rope_scaling");
        if (node is null)
            return null;
        var scaling = new ConfigReader(node, "phi3 rope_scaling");
        var type = scaling.String("rope_type", scaling.String("type", ""));
        if (type is not ("longrope" or "su" or "yarn"))
            throw config.Invalid($"rope_scaling of type '{type}' is not supported for phi3; Phi-3 uses 'longrope' (or its older names 'su' and 'yarn').");
        if (originalMaxPositions <= 0)
            throw config.Invalid($"original_max_position_embeddings ({originalMaxPositions}) must be positive.");
        var factor = (double)maxPositions / originalMaxPositions;
        var attentionFactor = scaling.Has("attention_factor")
            ? scaling.Double("attention_factor", 1.0)
            : factor <= 1.0 ? 1.0 : Math.Sqrt(1 + Math.Log(factor) / Math.Log(originalMaxPositions));
        return new RopeScaling(
            RopeScalingType.LongRope, factor, OriginalMaxPositions: originalMaxPositions,
            ShortFactor: Factors(node, config, "short_factor", rotaryDimensions / 2),
            LongFactor: Factors(node, config, "long_factor", rotaryDimensions / 2),
            AttentionFactor: attentionFactor);
    }

    /// <summary>A list of <paramref name="count"/> positive numbers, one per rotating frequency.</summary>
    private static double[] Factors(JsonObject scaling, ConfigReader config, string key, int count)
    {
        double[] factors;
        try
        {
            factors = scaling[key]?.AsArray().Select(f => f!.GetValue<double>()).ToArray()
                ?? throw config.Invalid($"rope_scaling of type longrope needs '{key}', a list of {count} numbers.");
        }
        catch (Exception e) when (e is FormatException or InvalidOperationException or JsonException or NullReferenceException)
        {
            throw config.Invalid($"rope_scaling's '{key}' must be a list of {count} numbers.");
        }
        if (factors.Length != count || factors.Any(f => !(f > 0)))
            throw config.Invalid($"rope_scaling's '{key}' has {factors.Length} entries; it needs {count} positive numbers (rotary dimensions / 2).");
        return factors;
    }
}

/// <summary>HF <c>Phi3ForCausalLM</c>: the decoder <c>model</c> and the head <c>lm_head</c> (absent when tied).</summary>
public sealed class Phi3 : CausalLanguageModel
{
    public static ModelArchitecture Architecture { get; } = new("phi3", "model.", json => new Phi3(Phi3Config.FromJson(json)));

    private readonly Phi3Config _config;
    private readonly Phi3Decoder model;
    private readonly Linear? lm_head;

    public Phi3(Phi3Config config) : base(nameof(Phi3))
    {
        _config = config;
        model = new Phi3Decoder(config);
        if (!config.TieWordEmbeddings)
            lm_head = Layers.Linear(config.HiddenSize, config.VocabularySize, hasBias: false);
        RegisterComponents();
    }

    public override int MaxPositions => _config.MaxPositions;

    public override long VocabularySize => _config.VocabularySize;

    protected override double InitializerRange => _config.InitializerRange;

    public override int? LongSequenceThreshold => model.LongSequenceThreshold;

    public override Tensor HiddenStates(Tensor inputIds) => model.forward(inputIds);

    public override Tensor OutputEmbeddings => lm_head?.weight ?? model.InputEmbeddings;
}

/// <summary>HF <c>Phi3Model</c>: embeddings, decoder layers, final RMSNorm.</summary>
internal sealed class Phi3Decoder : nn.Module<Tensor, Tensor>
{
    private readonly EmbeddingTable embed_tokens;
    private readonly ModuleList<Phi3DecoderLayer> layers;
    private readonly RmsNorm norm;
    private readonly RotaryEmbedding _rotary;
    private readonly int? _slidingWindow;

    public Phi3Decoder(Phi3Config config) : base("model")
    {
        embed_tokens = Layers.Embedding(config.VocabularySize, config.HiddenSize);
        layers = nn.ModuleList(Enumerable.Range(0, config.Layers).Select(i => new Phi3DecoderLayer(config, i)).ToArray());
        norm = new RmsNorm(config.HiddenSize, config.RmsNormEpsilon);
        _rotary = RotaryEmbedding.Create(config.RotaryDimensions, config.RopeTheta, config.RopeScaling);
        _slidingWindow = config.SlidingWindow;
        RegisterComponents();
    }

    /// <summary>The token embedding matrix (V, C), which a tied head reuses.</summary>
    public Tensor InputEmbeddings => embed_tokens.Weight;

    public int? LongSequenceThreshold => _rotary.LongSequenceThreshold;

    public override Tensor forward(Tensor inputIds)
    {
        var positions = inputIds.shape[1];
        var hidden = embed_tokens.forward(inputIds);                                                    // (B, T, C)
        // LongRoPE picks its short or long factors from T here, the whole sequence's length, as HF does.
        var (cos, sin) = _rotary.Angles(positions, hidden.device, hidden.dtype);                      // (T, rot) each
        var context = new AttentionContext(cos, sin, SlidingWindowMask(positions, hidden.device));
        foreach (var layer in layers)
        {
            // Free each layer's intermediates, and its input, when it returns (see LlamaDecoder).
            using var layerScope = NewDisposeScope();
            var next = layer.forward(hidden, context).MoveToOuterDisposeScope();
            hidden.Dispose();
            hidden = next;
        }
        return norm.forward(hidden);
    }

    /// <summary>
    /// The sliding-window causal mask (query i sees key j when 0 &lt;= i - j &lt; window), or null when the window covers
    /// the whole sequence and plain causal attention is exact.
    /// </summary>
    private Tensor? SlidingWindowMask(long positions, Device device)
    {
        if (_slidingWindow is not { } window || positions <= window)
            return null;
        var query = Arithmetic.Range(positions, ScalarType.Int64, device).unsqueeze(1);               // (T, 1)
        var key = Arithmetic.Range(positions, ScalarType.Int64, device).unsqueeze(0);                 // (1, T)
        var distance = query - key;                                                                    // (T, T)
        return distance.IsAtLeast(0).logical_and(distance.IsBelow(window));
    }
}

/// <summary>HF <c>Phi3DecoderLayer</c>: pre-norm attention and pre-norm gated MLP, each with a residual.</summary>
internal sealed class Phi3DecoderLayer : nn.Module<Tensor, AttentionContext, Tensor>
{
    private readonly Phi3Attention self_attn;
    private readonly Phi3Mlp mlp;
    private readonly RmsNorm input_layernorm;
    private readonly RmsNorm post_attention_layernorm;

    public Phi3DecoderLayer(Phi3Config config, int index) : base($"layers.{index}")
    {
        self_attn = new Phi3Attention(config);
        mlp = new Phi3Mlp(config);
        input_layernorm = new RmsNorm(config.HiddenSize, config.RmsNormEpsilon);
        post_attention_layernorm = new RmsNorm(config.HiddenSize, config.RmsNormEpsilon);
        RegisterComponents();
    }

    public override Tensor forward(Tensor hidden, AttentionContext context)
    {
        hidden = hidden.Plus(self_attn.forward(input_layernorm.forward(hidden), context));
        return hidden.Plus(mlp.forward(post_attention_layernorm.forward(hidden)));
    }
}

/// <summary>
/// HF <c>Phi3Attention</c>: one fused <c>qkv_proj</c> whose output is all query heads, then all key heads, then all value
/// heads; grouped-query attention; rotary positions on the first rotary_ndims features of each head.
/// </summary>
internal sealed class Phi3Attention : nn.Module<Tensor, AttentionContext, Tensor>
{
    private readonly Linear qkv_proj;
    private readonly Linear o_proj;
    private readonly int _heads;
    private readonly int _keyValueHeads;
    private readonly int _headDimensions;

    public Phi3Attention(Phi3Config config) : base("self_attn")
    {
        _heads = config.Heads;
        _keyValueHeads = config.KeyValueHeads;
        _headDimensions = config.HeadDimensions;
        qkv_proj = Layers.Linear(config.HiddenSize, (_heads + 2 * _keyValueHeads) * _headDimensions, hasBias: false);
        o_proj = Layers.Linear(_heads * _headDimensions, config.HiddenSize, hasBias: false);
        RegisterComponents();
    }

    public override Tensor forward(Tensor hidden, AttentionContext context)
    {
        var (b, t) = (hidden.shape[0], hidden.shape[1]);
        var qkv = qkv_proj.forward(hidden);                                                           // (B, T, (nh+2nkv)*hd)
        var parts = qkv.split([_heads * _headDimensions, _keyValueHeads * _headDimensions, _keyValueHeads * _headDimensions], -1);
        var q = parts[0].view(b, t, _heads, _headDimensions).transpose(1, 2);                         // (B, nh, T, hd)
        var k = parts[1].view(b, t, _keyValueHeads, _headDimensions).transpose(1, 2);                 // (B, nkv, T, hd)
        var v = parts[2].view(b, t, _keyValueHeads, _headDimensions).transpose(1, 2);                 // (B, nkv, T, hd)
        q = Rotate(q, context);
        k = Rotate(k, context);
        k = RepeatKeyValue(k, _heads / _keyValueHeads);                                               // (B, nh, T, hd)
        v = RepeatKeyValue(v, _heads / _keyValueHeads);
        var y = context.Mask is null
            ? nn.functional.scaled_dot_product_attention(q, k, v, is_casual: true)
            : nn.functional.scaled_dot_product_attention(q, k, v, attn_mask: context.Mask);          // (B, nh, T, hd)
        y = y.transpose(1, 2).reshape(b, t, _heads * _headDimensions);                                // (B, T, nh*hd)
        return o_proj.forward(y);
    }

    /// <summary>Rotary embedding on the first rotary_ndims features, the rest passed through (Phi-4-mini rotates 3/4).</summary>
    private static Tensor Rotate(Tensor x, AttentionContext context)
    {
        var rotary = context.Cos.shape[^1];
        if (rotary == x.shape[^1])
            return RotaryEmbedding.Apply(x, context.Cos, context.Sin);
        var rotated = RotaryEmbedding.Apply(x.narrow(-1, 0, rotary), context.Cos, context.Sin);
        return cat([rotated, x.narrow(-1, rotary, x.shape[^1] - rotary)], -1);
    }

    /// <summary>HF <c>repeat_kv</c>: (B, nkv, T, hd) to (B, nkv*groups, T, hd).</summary>
    private static Tensor RepeatKeyValue(Tensor x, int groups)
    {
        if (groups == 1)
            return x;
        var (b, kv, t, d) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3]);
        return x.unsqueeze(2).expand(b, kv, groups, t, d).reshape(b, kv * groups, t, d);
    }
}

/// <summary>HF <c>Phi3MLP</c>: one fused <c>gate_up_proj</c> (gate first, up second), down_proj(up * act(gate)).</summary>
internal sealed class Phi3Mlp : nn.Module<Tensor, Tensor>
{
    private readonly Linear gate_up_proj;
    private readonly Linear down_proj;
    private readonly Func<Tensor, Tensor> _activation;

    public Phi3Mlp(Phi3Config config) : base("mlp")
    {
        gate_up_proj = Layers.Linear(config.HiddenSize, 2 * config.IntermediateSize, hasBias: false);
        down_proj = Layers.Linear(config.IntermediateSize, config.HiddenSize, hasBias: false);
        _activation = Activations.Named(config.HiddenActivation);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        var halves = gate_up_proj.forward(x).chunk(2, -1);                                            // 2 x (B, T, I)
        return down_proj.forward(halves[1] * _activation(halves[0]));
    }
}
