using System.Text.Json.Nodes;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace LogLikeMap.Scoring.Models;

/// <summary>
/// The shape of a Llama-family decoder (HF <c>LlamaConfig</c>). Mistral and Qwen2 are the same network with other
/// defaults, biases and an optional sliding window (HF's <c>modular_mistral.py</c> and <c>modular_qwen2.py</c>
/// derive them from Llama), so their files build this record and reuse the modules below.
/// </summary>
/// <param name="QkvBias">Biases on q_proj, k_proj and v_proj (Llama's <c>attention_bias</c>; always on in Qwen2).</param>
/// <param name="OutputBias">A bias on o_proj (Llama's <c>attention_bias</c>; never in Mistral and Qwen2).</param>
/// <param name="SlidingWindow">Each token attends to at most this many positions (itself included); null: all.</param>
/// <param name="FirstSlidingWindowLayer">Layers before this one attend to all positions (Qwen2's <c>max_window_layers</c>).</param>
public sealed record LlamaConfig(
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
    bool QkvBias,
    bool OutputBias,
    bool MlpBias,
    bool TieWordEmbeddings,
    int? SlidingWindow,
    int FirstSlidingWindowLayer,
    double InitializerRange)
{
    /// <summary>Reads a <c>llama</c> config.json with the defaults of HF's <c>LlamaConfig</c>.</summary>
    public static LlamaConfig FromJson(JsonObject json)
    {
        var config = new ConfigReader(json, "llama");
        var attentionBias = config.Bool("attention_bias", false);
        return Read(config, defaults: new LlamaConfig(
            VocabularySize: 32000, HiddenSize: 4096, IntermediateSize: 11008, Layers: 32, Heads: 32, KeyValueHeads: 32,
            HeadDimensions: 128, MaxPositions: 2048, RmsNormEpsilon: 1e-6, RopeTheta: 10000.0, RopeScaling: null,
            HiddenActivation: "silu", QkvBias: attentionBias, OutputBias: attentionBias,
            MlpBias: config.Bool("mlp_bias", false), TieWordEmbeddings: false, SlidingWindow: null,
            FirstSlidingWindowLayer: 0, InitializerRange: 0.02));
    }

    /// <summary>
    /// The keys all Llama-family configs share, each falling back to <paramref name="defaults"/>;
    /// the biases and the window come from the defaults, which the caller has already read.
    /// </summary>
    internal static LlamaConfig Read(ConfigReader config, LlamaConfig defaults)
    {
        var hidden = config.Int("hidden_size", defaults.HiddenSize);
        var heads = config.Int("num_attention_heads", defaults.Heads);
        // num_key_value_heads absent or null means plain multi-head attention.
        var keyValueHeads = config.Int("num_key_value_heads", heads);
        if (heads <= 0 || keyValueHeads <= 0 || heads % keyValueHeads != 0)
            throw config.Invalid($"num_attention_heads ({heads}) must be a positive multiple of num_key_value_heads ({keyValueHeads}).");
        if (!config.Has("head_dim") && hidden % heads != 0)
            throw config.Invalid($"hidden_size ({hidden}) is not divisible by num_attention_heads ({heads}).");
        return defaults with
        {
            VocabularySize = config.Int("vocab_size", defaults.VocabularySize),
            HiddenSize = hidden,
            IntermediateSize = config.Int("intermediate_size", defaults.IntermediateSize),
            Layers = config.Int("num_hidden_layers", defaults.Layers),
            Heads = heads,
            KeyValueHeads = keyValueHeads,
            HeadDimensions = config.Int("head_dim", hidden / heads),
            MaxPositions = config.Int("max_position_embeddings", defaults.MaxPositions),
            RmsNormEpsilon = config.Double("rms_norm_eps", defaults.RmsNormEpsilon),
            RopeTheta = config.Double("rope_theta", defaults.RopeTheta),
            RopeScaling = RopeScaling.Read(config),
            HiddenActivation = config.String("hidden_act", defaults.HiddenActivation),
            TieWordEmbeddings = config.Bool("tie_word_embeddings", defaults.TieWordEmbeddings),
            InitializerRange = config.Double("initializer_range", defaults.InitializerRange),
        };
    }
}

/// <summary>HF <c>LlamaForCausalLM</c>: the decoder <c>model</c> and the head <c>lm_head</c> (absent when tied).</summary>
public sealed class Llama : CausalLanguageModel
{
    public static ModelArchitecture Architecture { get; } = new("llama", "model.", json => new Llama(LlamaConfig.FromJson(json)));

    private readonly LlamaConfig _config;
    private readonly LlamaDecoder model;
    private readonly Linear? lm_head;

    public Llama(LlamaConfig config) : base(nameof(Llama))
    {
        _config = config;
        model = new LlamaDecoder(config);
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

/// <summary>HF <c>LlamaModel</c>: embeddings, decoder layers, final RMSNorm.</summary>
internal sealed class LlamaDecoder : nn.Module<Tensor, Tensor>
{
    private readonly EmbeddingTable embed_tokens;
    private readonly ModuleList<LlamaDecoderLayer> layers;
    private readonly RmsNorm norm;
    private readonly RotaryEmbedding _rotary;
    private readonly LlamaConfig _config;

    public LlamaDecoder(LlamaConfig config) : base("model")
    {
        _config = config;
        embed_tokens = Layers.Embedding(config.VocabularySize, config.HiddenSize);
        layers = nn.ModuleList(Enumerable.Range(0, config.Layers).Select(i => new LlamaDecoderLayer(config, i)).ToArray());
        norm = new RmsNorm(config.HiddenSize, config.RmsNormEpsilon);
        _rotary = RotaryEmbedding.Create(config.HeadDimensions, config.RopeTheta, config.RopeScaling);
        RegisterComponents();
    }

    /// <summary>The token embedding matrix (V, C), which a tied head reuses.</summary>
    public Tensor InputEmbeddings => embed_tokens.Weight;

    public override Tensor forward(Tensor inputIds)
    {
        var positions = inputIds.shape[1];
        var hidden = embed_tokens.forward(inputIds);                                                    // (B, T, C)
        var (cos, sin) = _rotary.Angles(positions, hidden.device, hidden.dtype);                      // (T, hd) each
        var window = SlidingWindowMask(positions, hidden.device);
        for (var i = 0; i < layers.Count; i++)
        {
            var mask = i >= _config.FirstSlidingWindowLayer ? window : null;
            // Free each layer's intermediates, and its input, when it returns, not at the end of the batch: otherwise
            // they pile up over all layers (a 7B model's MLP activations alone are about 1 GB a layer at 8,192 tokens).
            // Autograd keeps its own references, so training is unaffected.
            using var layerScope = NewDisposeScope();
            var next = layers[i].forward(hidden, new AttentionContext(cos, sin, mask)).MoveToOuterDisposeScope();
            hidden.Dispose();
            hidden = next;
        }
        return norm.forward(hidden);
    }

    /// <summary>
    /// The sliding-window causal mask (HF <c>sliding_window_causal_mask</c>: query i sees key j when
    /// 0 &lt;= i - j &lt; window), or null when the window covers the whole sequence and plain causal attention is exact.
    /// </summary>
    private Tensor? SlidingWindowMask(long positions, Device device)
    {
        if (_config.SlidingWindow is not { } window || positions <= window)
            return null;
        var query = Arithmetic.Range(positions, ScalarType.Int64, device).unsqueeze(1);              // (T, 1)
        var key = Arithmetic.Range(positions, ScalarType.Int64, device).unsqueeze(0);                // (1, T)
        var distance = query - key;                                                                    // (T, T)
        return distance.IsAtLeast(0).logical_and(distance.IsBelow(window));
    }
}

/// <summary>Per-forward inputs shared by all layers: rotary cos/sin (T, hd) and an optional boolean attention mask (T, T).</summary>
internal readonly record struct AttentionContext(Tensor Cos, Tensor Sin, Tensor? Mask);

/// <summary>HF <c>LlamaDecoderLayer</c>: pre-norm attention and pre-norm gated MLP, each with a residual.</summary>
internal sealed class LlamaDecoderLayer : nn.Module<Tensor, AttentionContext, Tensor>
{
    private readonly LlamaAttention self_attn;
    private readonly LlamaMlp mlp;
    private readonly RmsNorm input_layernorm;
    private readonly RmsNorm post_attention_layernorm;

    public LlamaDecoderLayer(LlamaConfig config, int index) : base($"layers.{index}")
    {
        self_attn = new LlamaAttention(config);
        mlp = new LlamaMlp(config);
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

/// <summary>HF <c>LlamaAttention</c> with grouped-query attention (<c>repeat_kv</c>) and rotary positions.</summary>
internal sealed class LlamaAttention : nn.Module<Tensor, AttentionContext, Tensor>
{
    private readonly Linear q_proj;
    private readonly Linear k_proj;
    private readonly Linear v_proj;
    private readonly Linear o_proj;
    private readonly int _heads;
    private readonly int _keyValueHeads;
    private readonly int _headDimensions;

    public LlamaAttention(LlamaConfig config) : base("self_attn")
    {
        _heads = config.Heads;
        _keyValueHeads = config.KeyValueHeads;
        _headDimensions = config.HeadDimensions;
        q_proj = Layers.Linear(config.HiddenSize, _heads * _headDimensions, hasBias: config.QkvBias);
        k_proj = Layers.Linear(config.HiddenSize, _keyValueHeads * _headDimensions, hasBias: config.QkvBias);
        v_proj = Layers.Linear(config.HiddenSize, _keyValueHeads * _headDimensions, hasBias: config.QkvBias);
        o_proj = Layers.Linear(_heads * _headDimensions, config.HiddenSize, hasBias: config.OutputBias);
        RegisterComponents();
    }

    public override Tensor forward(Tensor hidden, AttentionContext context)
    {
        var (b, t) = (hidden.shape[0], hidden.shape[1]);
        var q = q_proj.forward(hidden).view(b, t, _heads, _headDimensions).transpose(1, 2);          // (B, nh, T, hd)
        var k = k_proj.forward(hidden).view(b, t, _keyValueHeads, _headDimensions).transpose(1, 2);  // (B, nkv, T, hd)
        var v = v_proj.forward(hidden).view(b, t, _keyValueHeads, _headDimensions).transpose(1, 2);  // (B, nkv, T, hd)
        q = RotaryEmbedding.Apply(q, context.Cos, context.Sin);
        k = RotaryEmbedding.Apply(k, context.Cos, context.Sin);
        k = RepeatKeyValue(k, _heads / _keyValueHeads);                                               // (B, nh, T, hd)
        v = RepeatKeyValue(v, _heads / _keyValueHeads);
        var y = context.Mask is null
            ? nn.functional.scaled_dot_product_attention(q, k, v, is_casual: true)
            : nn.functional.scaled_dot_product_attention(q, k, v, attn_mask: context.Mask);          // (B, nh, T, hd)
        y = y.transpose(1, 2).reshape(b, t, _heads * _headDimensions);                                // (B, T, nh*hd)
        return o_proj.forward(y);
    }

    /// <summary>
    /// HF <c>repeat_kv</c>: each of the nkv key/value heads serves <paramref name="groups"/> query heads,
    /// (B, nkv, T, hd) to (B, nkv*groups, T, hd), the same as <c>torch.repeat_interleave(x, groups, dim=1)</c>.
    /// </summary>
    private static Tensor RepeatKeyValue(Tensor x, int groups)
    {
        if (groups == 1)
            return x;
        var (b, kv, t, d) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3]);
        return x.unsqueeze(2).expand(b, kv, groups, t, d).reshape(b, kv * groups, t, d);
    }
}

/// <summary>HF <c>LlamaMLP</c>: down_proj(act(gate_proj(x)) * up_proj(x)).</summary>
internal sealed class LlamaMlp : nn.Module<Tensor, Tensor>
{
    private readonly Linear gate_proj;
    private readonly Linear up_proj;
    private readonly Linear down_proj;
    private readonly Func<Tensor, Tensor> _activation;

    public LlamaMlp(LlamaConfig config) : base("mlp")
    {
        gate_proj = Layers.Linear(config.HiddenSize, config.IntermediateSize, hasBias: config.MlpBias);
        up_proj = Layers.Linear(config.HiddenSize, config.IntermediateSize, hasBias: config.MlpBias);
        down_proj = Layers.Linear(config.IntermediateSize, config.HiddenSize, hasBias: config.MlpBias);
        _activation = Activations.Named(config.HiddenActivation);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x) => down_proj.forward(_activation(gate_proj.forward(x)) * up_proj.forward(x));
}

/// <summary>
/// HF <c>LlamaRMSNorm</c>: x / sqrt(mean(x^2) + eps) * weight, the statistics in float32 whatever the model's dtype
/// (bfloat16 squares lose too much), the result cast back before the weight.
/// </summary>
internal sealed class RmsNorm : nn.Module<Tensor, Tensor>
{
    private readonly Parameter weight;
    private readonly double _epsilon;

    public RmsNorm(long size, double epsilon) : base("norm")
    {
        weight = Layers.Ones(size);
        _epsilon = epsilon;
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        var inputType = x.dtype;
        var h = x.to(ScalarType.Float32);
        var variance = h.Squared().mean([-1], keepdim: true);
        h = h * rsqrt(variance.Plus(_epsilon));
        return weight * h.to(inputType);
    }
}
