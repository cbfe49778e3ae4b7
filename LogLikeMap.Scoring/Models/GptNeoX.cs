using System.Text.Json.Nodes;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace LogLikeMap.Scoring.Models;

/// <summary>The shape of a GPT-NeoX / Pythia model (HF <c>GPTNeoXConfig</c>).</summary>
/// <param name="RotaryPercentage">Fraction of each head's features that rotate (<c>rotary_pct</c>).</param>
/// <param name="ParallelResidual">
/// <c>use_parallel_residual</c>: x + attn(ln1(x)) + mlp(ln2(x)) when true, else the usual sequential residuals.
/// </param>
public sealed record GptNeoXConfig(
    int VocabularySize,
    int HiddenSize,
    int IntermediateSize,
    int Layers,
    int Heads,
    int MaxPositions,
    double RotaryPercentage,
    double RopeTheta,
    RopeScaling? RopeScaling,
    double LayerNormEpsilon,
    bool ParallelResidual,
    string HiddenActivation,
    bool AttentionBias,
    bool TieWordEmbeddings,
    double InitializerRange)
{
    public int HeadSize => HiddenSize / Heads;

    /// <summary>Reads a <c>gpt_neox</c> config.json with the defaults of HF's <c>GPTNeoXConfig</c>.</summary>
    public static GptNeoXConfig FromJson(JsonObject json)
    {
        var config = new ConfigReader(json, "gpt_neox");
        var hidden = config.Int("hidden_size", 6144);
        var heads = config.Int("num_attention_heads", 64);
        if (heads <= 0 || hidden % heads != 0)
            throw config.Invalid($"hidden_size ({hidden}) is not divisible by num_attention_heads ({heads}).");
        var rotaryPercentage = config.Double("rotary_pct", 0.25);
        if (rotaryPercentage is < 0 or > 1)
            throw config.Invalid($"rotary_pct ({rotaryPercentage}) must lie between 0 and 1.");
        return new GptNeoXConfig(
            VocabularySize: config.Int("vocab_size", 50432),
            HiddenSize: hidden,
            IntermediateSize: config.Int("intermediate_size", 24576),
            Layers: config.Int("num_hidden_layers", 44),
            Heads: heads,
            MaxPositions: config.Int("max_position_embeddings", 2048),
            RotaryPercentage: rotaryPercentage,
            // Older configs call the rotary base rotary_emb_base, newer ones rope_theta.
            RopeTheta: config.Double("rope_theta", config.Double("rotary_emb_base", 10000.0)),
            RopeScaling: RopeScaling.Read(config),
            LayerNormEpsilon: config.Double("layer_norm_eps", 1e-5),
            ParallelResidual: config.Bool("use_parallel_residual", true),
            HiddenActivation: config.String("hidden_act", "gelu"),
            AttentionBias: config.Bool("attention_bias", true),
            TieWordEmbeddings: config.Bool("tie_word_embeddings", false),
            InitializerRange: config.Double("initializer_range", 0.02));
    }
}

/// <summary>HF <c>GPTNeoXForCausalLM</c>: the body <c>gpt_neox</c> and the head <c>embed_out</c> (absent when tied).</summary>
public sealed class GptNeoX : CausalLanguageModel
{
    public static ModelArchitecture Architecture { get; } = new("gpt_neox", "gpt_neox.", json => new GptNeoX(GptNeoXConfig.FromJson(json)));

    private readonly GptNeoXConfig _config;
    private readonly GptNeoXBody gpt_neox;
    private readonly Linear? embed_out;

    public GptNeoX(GptNeoXConfig config) : base(nameof(GptNeoX))
    {
        _config = config;
        gpt_neox = new GptNeoXBody(config);
        if (!config.TieWordEmbeddings)
            embed_out = Layers.Linear(config.HiddenSize, config.VocabularySize, hasBias: false);
        RegisterComponents();
    }

    public override int MaxPositions => _config.MaxPositions;

    public override long VocabularySize => _config.VocabularySize;

    protected override double InitializerRange => _config.InitializerRange;

    public override Tensor HiddenStates(Tensor inputIds) => gpt_neox.forward(inputIds);

    public override Tensor OutputEmbeddings => embed_out?.weight ?? gpt_neox.InputEmbeddings;
}

/// <summary>HF <c>GPTNeoXModel</c>: embeddings, layers, final LayerNorm.</summary>
internal sealed class GptNeoXBody : nn.Module<Tensor, Tensor>
{
    private readonly EmbeddingTable embed_in;
    private readonly ModuleList<GptNeoXLayer> layers;
    private readonly LayerNorm final_layer_norm;
    private readonly RotaryEmbedding _rotary;

    public GptNeoXBody(GptNeoXConfig config) : base("gpt_neox")
    {
        embed_in = Layers.Embedding(config.VocabularySize, config.HiddenSize);
        layers = nn.ModuleList(Enumerable.Range(0, config.Layers).Select(i => new GptNeoXLayer(config, i)).ToArray());
        final_layer_norm = Layers.LayerNorm(config.HiddenSize, config.LayerNormEpsilon);
        // rotary_ndims = int(head_size * rotary_pct)
        _rotary = RotaryEmbedding.Create((int)(config.HeadSize * config.RotaryPercentage), config.RopeTheta, config.RopeScaling);
        RegisterComponents();
    }

    /// <summary>The token embedding matrix (V, C), which a tied head reuses.</summary>
    public Tensor InputEmbeddings => embed_in.Weight;

    public override Tensor forward(Tensor inputIds)
    {
        var hidden = embed_in.forward(inputIds);                                                       // (B, T, C)
        var (cos, sin) = _rotary.Angles(inputIds.shape[1], hidden.device, hidden.dtype);             // (T, rot) each
        var context = new AttentionContext(cos, sin, Mask: null);
        foreach (var layer in layers)
        {
            // Free each layer's intermediates, and its input, when it returns, not at the end of the batch: otherwise
            // they pile up over all layers (a 7B model's MLP activations alone are about 1 GB a layer at 8,192 tokens).
            // Autograd keeps its own references, so training is unaffected.
            using var layerScope = NewDisposeScope();
            var next = layer.forward(hidden, context).MoveToOuterDisposeScope();
            hidden.Dispose();
            hidden = next;
        }
        return final_layer_norm.forward(hidden);
    }
}

/// <summary>HF <c>GPTNeoXLayer</c>: attention and MLP, each after its own LayerNorm, in parallel or in sequence.</summary>
internal sealed class GptNeoXLayer : nn.Module<Tensor, AttentionContext, Tensor>
{
    private readonly LayerNorm input_layernorm;
    private readonly LayerNorm post_attention_layernorm;
    private readonly GptNeoXAttention attention;
    private readonly GptNeoXMlp mlp;
    private readonly bool _parallelResidual;

    public GptNeoXLayer(GptNeoXConfig config, int index) : base($"layers.{index}")
    {
        input_layernorm = Layers.LayerNorm(config.HiddenSize, config.LayerNormEpsilon);
        post_attention_layernorm = Layers.LayerNorm(config.HiddenSize, config.LayerNormEpsilon);
        attention = new GptNeoXAttention(config);
        mlp = new GptNeoXMlp(config);
        _parallelResidual = config.ParallelResidual;
        RegisterComponents();
    }

    public override Tensor forward(Tensor hidden, AttentionContext context)
    {
        var attended = attention.forward(input_layernorm.forward(hidden), context);
        if (_parallelResidual)
            return hidden.Plus(attended).Plus(mlp.forward(post_attention_layernorm.forward(hidden)));  // x + attn(ln1(x)) + mlp(ln2(x))
        var afterAttention = hidden.Plus(attended);
        return afterAttention.Plus(mlp.forward(post_attention_layernorm.forward(afterAttention)));
    }
}

/// <summary>
/// HF <c>GPTNeoXAttention</c>. The fused <c>query_key_value</c> output is laid out per head: for each head its q, k and v
/// (head size each) side by side, so (B, T, 3C) views as (B, T, nh, 3 x hs) before the split. Only the first
/// rotary_ndims features of q and k rotate.
/// </summary>
internal sealed class GptNeoXAttention : nn.Module<Tensor, AttentionContext, Tensor>
{
    private readonly Linear query_key_value;
    private readonly Linear dense;
    private readonly int _heads;
    private readonly int _headSize;

    public GptNeoXAttention(GptNeoXConfig config) : base("attention")
    {
        _heads = config.Heads;
        _headSize = config.HeadSize;
        query_key_value = Layers.Linear(config.HiddenSize, 3 * config.HiddenSize, hasBias: config.AttentionBias);
        dense = Layers.Linear(config.HiddenSize, config.HiddenSize, hasBias: config.AttentionBias);
        RegisterComponents();
    }

    public override Tensor forward(Tensor hidden, AttentionContext context)
    {
        var (b, t) = (hidden.shape[0], hidden.shape[1]);
        var qkv = query_key_value.forward(hidden).view(b, t, _heads, 3 * _headSize).transpose(1, 2); // (B, nh, T, 3hs)
        var parts = qkv.split(_headSize, 3);                                                         // 3 x (B, nh, T, hs)
        var q = Rotate(parts[0], context);
        var k = Rotate(parts[1], context);
        var y = nn.functional.scaled_dot_product_attention(q, k, parts[2], is_casual: true);          // (B, nh, T, hs)
        return dense.forward(y.transpose(1, 2).reshape(b, t, _heads * _headSize));
    }

    /// <summary>Rotary embedding on the first rotary_ndims features, the rest passed through.</summary>
    private static Tensor Rotate(Tensor x, AttentionContext context)
    {
        var rotary = context.Cos.shape[^1];
        if (rotary == 0)
            return x;
        var rotated = RotaryEmbedding.Apply(x.narrow(-1, 0, rotary), context.Cos, context.Sin);
        return cat([rotated, x.narrow(-1, rotary, x.shape[^1] - rotary)], -1);
    }
}

/// <summary>HF <c>GPTNeoXMLP</c>: dense_h_to_4h, activation (exact GELU by default), dense_4h_to_h.</summary>
internal sealed class GptNeoXMlp : nn.Module<Tensor, Tensor>
{
    private readonly Linear dense_h_to_4h;
    private readonly Linear dense_4h_to_h;
    private readonly Func<Tensor, Tensor> _activation;

    public GptNeoXMlp(GptNeoXConfig config) : base("mlp")
    {
        dense_h_to_4h = Layers.Linear(config.HiddenSize, config.IntermediateSize);
        dense_4h_to_h = Layers.Linear(config.IntermediateSize, config.HiddenSize);
        _activation = Activations.Named(config.HiddenActivation);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x) => dense_4h_to_h.forward(_activation(dense_h_to_4h.forward(x)));
}
