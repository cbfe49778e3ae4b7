using System.Text.Json.Nodes;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace LogLikeMap.Scoring.Models;

/// <summary>The shape of a Phi-1 / Phi-1.5 / Phi-2 decoder (HF <c>PhiConfig</c>).</summary>
/// <param name="RotaryDimensions">The leading features of each head that rotate: head_dim x <c>partial_rotary_factor</c>.</param>
/// <param name="QueryKeyLayerNorm">
/// <c>qk_layernorm</c>: a LayerNorm over each head's features of q (<c>q_layernorm</c>) and k (<c>k_layernorm</c>).
/// </param>
public sealed record PhiConfig(
    int VocabularySize,
    int HiddenSize,
    int IntermediateSize,
    int Layers,
    int Heads,
    int KeyValueHeads,
    int RotaryDimensions,
    int MaxPositions,
    double LayerNormEpsilon,
    double RopeTheta,
    RopeScaling? RopeScaling,
    string HiddenActivation,
    bool QueryKeyLayerNorm,
    bool TieWordEmbeddings,
    double InitializerRange)
{
    public int HeadDimensions => HiddenSize / Heads;

    /// <summary>Reads a <c>phi</c> config.json with the defaults of HF's <c>PhiConfig</c>.</summary>
    public static PhiConfig FromJson(JsonObject json)
    {
        var config = new ConfigReader(json, "phi");
        var hidden = config.Int("hidden_size", 2048);
        var heads = config.Int("num_attention_heads", 32);
        var keyValueHeads = config.Int("num_key_value_heads", heads);
        if (heads <= 0 || keyValueHeads <= 0 || heads % keyValueHeads != 0)
            throw config.Invalid($"num_attention_heads ({heads}) must be a positive multiple of num_key_value_heads ({keyValueHeads}).");
        if (hidden % heads != 0)
            throw config.Invalid($"hidden_size ({hidden}) is not divisible by num_attention_heads ({heads}).");
        var partialRotary = config.Double("partial_rotary_factor", 0.5);
        if (partialRotary is < 0 or > 1)
            throw config.Invalid($"partial_rotary_factor ({partialRotary}) must lie between 0 and 1.");
        return new PhiConfig(
            VocabularySize: config.Int("vocab_size", 51200),
            HiddenSize: hidden,
            IntermediateSize: config.Int("intermediate_size", 8192),
            Layers: config.Int("num_hidden_layers", 24),
            Heads: heads,
            KeyValueHeads: keyValueHeads,
            // rotary_ndims = int(head_dim * partial_rotary_factor)
            RotaryDimensions: (int)(hidden / heads * partialRotary),
            MaxPositions: config.Int("max_position_embeddings", 2048),
            LayerNormEpsilon: config.Double("layer_norm_eps", 1e-5),
            RopeTheta: config.Double("rope_theta", 10000.0),
            RopeScaling: RopeScaling.Read(config),
            HiddenActivation: config.String("hidden_act", "gelu_new"),
            QueryKeyLayerNorm: config.Bool("qk_layernorm", false),
            TieWordEmbeddings: config.Bool("tie_word_embeddings", false),
            InitializerRange: config.Double("initializer_range", 0.02));
    }
}

/// <summary>
/// HF <c>PhiForCausalLM</c>: the decoder <c>model</c> and the head <c>lm_head</c>, which has a bias (its weight is the
/// token embedding when tied, the bias is stored either way).
/// </summary>
public sealed class Phi : CausalLanguageModel
{
    public static ModelArchitecture Architecture { get; } = new("phi", "model.", json => new Phi(PhiConfig.FromJson(json)));

    private readonly PhiConfig _config;
    private readonly PhiDecoder model;
    private readonly PhiHead lm_head;

    public Phi(PhiConfig config) : base(nameof(Phi))
    {
        _config = config;
        model = new PhiDecoder(config);
        lm_head = new PhiHead(config);
        RegisterComponents();
    }

    public override int MaxPositions => _config.MaxPositions;

    public override long VocabularySize => _config.VocabularySize;

    protected override double InitializerRange => _config.InitializerRange;

    public override Tensor HiddenStates(Tensor inputIds) => model.forward(inputIds);

    public override Tensor OutputEmbeddings => lm_head.Weight ?? model.InputEmbeddings;

    public override Tensor? OutputBias => lm_head.Bias;
}

/// <summary>
/// Phi's <c>lm_head</c>: <c>weight</c> (V, C), absent when tied to the token embedding, and <c>bias</c> (V), stored either
/// way. Applied by <see cref="CausalLanguageModel.Logits"/>.
/// </summary>
internal sealed class PhiHead : nn.Module
{
    private readonly Parameter? weight;
    private readonly Parameter bias;

    public PhiHead(PhiConfig config) : base("lm_head")
    {
        if (!config.TieWordEmbeddings)
            weight = Layers.Parameter(config.VocabularySize, config.HiddenSize);
        bias = Layers.Parameter(config.VocabularySize);
        RegisterComponents();
    }

    public Parameter? Weight => weight;

    public Parameter Bias => bias;
}

/// <summary>HF <c>PhiModel</c>: embeddings, decoder layers, final LayerNorm.</summary>
internal sealed class PhiDecoder : nn.Module<Tensor, Tensor>
{
    private readonly EmbeddingTable embed_tokens;
    private readonly ModuleList<PhiDecoderLayer> layers;
    private readonly LayerNorm final_layernorm;
    private readonly RotaryEmbedding _rotary;

    public PhiDecoder(PhiConfig config) : base("model")
    {
        embed_tokens = Layers.Embedding(config.VocabularySize, config.HiddenSize);
        layers = nn.ModuleList(Enumerable.Range(0, config.Layers).Select(i => new PhiDecoderLayer(config, i)).ToArray());
        final_layernorm = Layers.LayerNorm(config.HiddenSize, config.LayerNormEpsilon);
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
            // Free each layer's intermediates, and its input, when it returns (see LlamaDecoder).
            using var layerScope = NewDisposeScope();
            var next = layer.forward(hidden, context).MoveToOuterDisposeScope();
            hidden.Dispose();
            hidden = next;
        }
        return final_layernorm.forward(hidden);
    }
}

/// <summary>HF <c>PhiDecoderLayer</c>: attention and MLP side by side from one LayerNorm, x + attn(ln(x)) + mlp(ln(x)).</summary>
internal sealed class PhiDecoderLayer : nn.Module<Tensor, AttentionContext, Tensor>
{
    private readonly LayerNorm input_layernorm;
    private readonly PhiAttention self_attn;
    private readonly PhiMlp mlp;

    public PhiDecoderLayer(PhiConfig config, int index) : base($"layers.{index}")
    {
        input_layernorm = Layers.LayerNorm(config.HiddenSize, config.LayerNormEpsilon);
        self_attn = new PhiAttention(config);
        mlp = new PhiMlp(config);
        RegisterComponents();
    }

    public override Tensor forward(Tensor hidden, AttentionContext context)
    {
        var normed = input_layernorm.forward(hidden);
        return hidden.Plus(self_attn.forward(normed, context)).Plus(mlp.forward(normed));
    }
}

/// <summary>
/// HF <c>PhiAttention</c>: q/k/v projections with biases, an optional LayerNorm over each head of q and k, rotary
/// positions on the first rotary_ndims features only, grouped-query attention, and the output projection
/// <c>dense</c> with a bias.
/// </summary>
internal sealed class PhiAttention : nn.Module<Tensor, AttentionContext, Tensor>
{
    private readonly Linear q_proj;
    private readonly Linear k_proj;
    private readonly Linear v_proj;
    private readonly Linear dense;
    private readonly LayerNorm? q_layernorm;
    private readonly LayerNorm? k_layernorm;
    private readonly int _heads;
    private readonly int _keyValueHeads;
    private readonly int _headDimensions;

    public PhiAttention(PhiConfig config) : base("self_attn")
    {
        _heads = config.Heads;
        _keyValueHeads = config.KeyValueHeads;
        _headDimensions = config.HeadDimensions;
        q_proj = Layers.Linear(config.HiddenSize, _heads * _headDimensions);
        k_proj = Layers.Linear(config.HiddenSize, _keyValueHeads * _headDimensions);
        v_proj = Layers.Linear(config.HiddenSize, _keyValueHeads * _headDimensions);
        dense = Layers.Linear(_heads * _headDimensions, config.HiddenSize);
        if (config.QueryKeyLayerNorm)
        {
            q_layernorm = Layers.LayerNorm(_headDimensions, config.LayerNormEpsilon);
            k_layernorm = Layers.LayerNorm(_headDimensions, config.LayerNormEpsilon);
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
        q = Rotate(q, context);
        k = Rotate(k, context);
        k = RepeatKeyValue(k, _heads / _keyValueHeads);                                               // (B, nh, T, hd)
        v = RepeatKeyValue(v, _heads / _keyValueHeads);
        var y = nn.functional.scaled_dot_product_attention(q, k, v, is_casual: true);                 // (B, nh, T, hd)
        return dense.forward(y.transpose(1, 2).reshape(b, t, _heads * _headDimensions));
    }

    /// <summary>Rotary embedding on the first rotary_ndims features (half of each head in Phi-2), the rest passed through.</summary>
    private static Tensor Rotate(Tensor x, AttentionContext context)
    {
        var rotary = context.Cos.shape[^1];
        if (rotary == 0)
            return x;
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

/// <summary>HF <c>PhiMLP</c>: fc2(act(fc1(x))), both with biases, GPT-2's tanh GELU (<c>gelu_new</c>) by default.</summary>
internal sealed class PhiMlp : nn.Module<Tensor, Tensor>
{
    private readonly Linear fc1;
    private readonly Linear fc2;
    private readonly Func<Tensor, Tensor> _activation;

    public PhiMlp(PhiConfig config) : base("mlp")
    {
        fc1 = Layers.Linear(config.HiddenSize, config.IntermediateSize);
        fc2 = Layers.Linear(config.IntermediateSize, config.HiddenSize);
        _activation = Activations.Named(config.HiddenActivation);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x) => fc2.forward(_activation(fc1.forward(x)));
}
