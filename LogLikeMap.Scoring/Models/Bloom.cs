using System.Text.Json.Nodes;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace LogLikeMap.Scoring.Models;

/// <summary>The shape of a BLOOM model (HF <c>BloomConfig</c>).</summary>
/// <param name="MaxPositions">
/// ALiBi sets no limit and BloomConfig has no such key; this is the paper's truncation length (docs/method.md §1.2):
/// <c>max_position_embeddings</c>, else <c>n_positions</c>, else <c>max_sequence_length</c>, else 2048.
/// </param>
/// <param name="ResidualPostLayerNorm">
/// <c>apply_residual_connection_post_layernorm</c>: the residuals carry the LayerNorm outputs, not the block inputs.
/// </param>
public sealed record BloomConfig(
    int VocabularySize,
    int HiddenSize,
    int Layers,
    int Heads,
    int MaxPositions,
    double LayerNormEpsilon,
    bool ResidualPostLayerNorm,
    bool TieWordEmbeddings,
    double InitializerRange)
{
    public int HeadSize => HiddenSize / Heads;

    /// <summary>Reads a <c>bloom</c> config.json with the defaults of HF's <c>BloomConfig</c>.</summary>
    public static BloomConfig FromJson(JsonObject json)
    {
        var config = new ConfigReader(json, "bloom");
        // BloomConfig's own names are n_layer and n_head (num_hidden_layers and num_attention_heads map onto them) and
        // it still accepts the early n_embed for hidden_size.
        var hidden = config.Int("n_embed", config.Int("hidden_size", 64));
        var heads = config.Int("num_attention_heads", config.Int("n_head", 8));
        if (heads <= 0 || hidden % heads != 0)
            throw config.Invalid($"hidden_size ({hidden}) is not divisible by n_head ({heads}).");
        return new BloomConfig(
            VocabularySize: config.Int("vocab_size", 250880),
            HiddenSize: hidden,
            Layers: config.Int("num_hidden_layers", config.Int("n_layer", 2)),
            Heads: heads,
            MaxPositions: config.Int("max_position_embeddings", config.Int("n_positions", config.Int("max_sequence_length", 2048))),
            LayerNormEpsilon: config.Double("layer_norm_epsilon", 1e-5),
            ResidualPostLayerNorm: config.Bool("apply_residual_connection_post_layernorm", false),
            TieWordEmbeddings: config.Bool("tie_word_embeddings", true),
            InitializerRange: config.Double("initializer_range", 0.02));
    }
}

/// <summary>
/// HF <c>BloomForCausalLM</c>: the body <c>transformer</c> and the head <c>lm_head</c>, which is the word embedding
/// itself unless <c>tie_word_embeddings</c> is false. No position embedding: ALiBi biases the attention scores.
/// </summary>
public sealed class Bloom : CausalLanguageModel
{
    public static ModelArchitecture Architecture { get; } = new("bloom", "transformer.", json => new Bloom(BloomConfig.FromJson(json)));

    private readonly BloomConfig _config;
    private readonly BloomBody transformer;
    private readonly Linear? lm_head;

    public Bloom(BloomConfig config) : base(nameof(Bloom))
    {
        _config = config;
        transformer = new BloomBody(config);
        if (!config.TieWordEmbeddings)
            lm_head = Layers.Linear(config.HiddenSize, config.VocabularySize, hasBias: false);
        RegisterComponents();
    }

    public override int MaxPositions => _config.MaxPositions;

    public override long VocabularySize => _config.VocabularySize;

    protected override double InitializerRange => _config.InitializerRange;

    public override Tensor HiddenStates(Tensor inputIds) => transformer.forward(inputIds);

    public override Tensor OutputEmbeddings => lm_head?.weight ?? transformer.WordEmbeddings;
}

/// <summary>HF <c>BloomModel</c>: word embeddings, their LayerNorm, blocks, final LayerNorm.</summary>
internal sealed class BloomBody : nn.Module<Tensor, Tensor>
{
    private readonly EmbeddingTable word_embeddings;
    private readonly LayerNorm word_embeddings_layernorm;
    private readonly ModuleList<BloomBlock> h;
    private readonly LayerNorm ln_f;
    private readonly int _heads;

    public BloomBody(BloomConfig config) : base("transformer")
    {
        word_embeddings = Layers.Embedding(config.VocabularySize, config.HiddenSize);
        word_embeddings_layernorm = Layers.LayerNorm(config.HiddenSize, config.LayerNormEpsilon);
        h = nn.ModuleList(Enumerable.Range(0, config.Layers).Select(i => new BloomBlock(config, i)).ToArray());
        ln_f = Layers.LayerNorm(config.HiddenSize, config.LayerNormEpsilon);
        _heads = config.Heads;
        RegisterComponents();
    }

    /// <summary>The word embedding matrix (V, C), which a tied head reuses.</summary>
    public Tensor WordEmbeddings => word_embeddings.Weight;

    public override Tensor forward(Tensor inputIds)
    {
        var hidden = word_embeddings_layernorm.forward(word_embeddings.forward(inputIds));             // (B, T, C)
        // BLOOM adds slope x key position, in the model's dtype, to the already scaled scores.
        var mask = Alibi.CausalMask(_heads, inputIds.shape[1], hidden.device, hidden.dtype, productInBFloat16: false, divisor: 1.0);
        foreach (var block in h)
        {
            // Free each layer's intermediates, and its input, when it returns, not at the end of the batch.
            using var layerScope = NewDisposeScope();
            var next = block.forward(hidden, mask).MoveToOuterDisposeScope();
            hidden.Dispose();
            hidden = next;
        }
        return ln_f.forward(hidden);
    }
}

/// <summary>
/// HF <c>BloomBlock</c>: pre-LayerNorm attention and MLP, each with a residual that is the block input (default) or
/// the LayerNorm output (<c>apply_residual_connection_post_layernorm</c>).
/// </summary>
internal sealed class BloomBlock : nn.Module<Tensor, Tensor, Tensor>
{
    private readonly LayerNorm input_layernorm;
    private readonly BloomAttention self_attention;
    private readonly LayerNorm post_attention_layernorm;
    private readonly BloomMlp mlp;
    private readonly bool _residualPostLayerNorm;

    public BloomBlock(BloomConfig config, int index) : base($"h.{index}")
    {
        input_layernorm = Layers.LayerNorm(config.HiddenSize, config.LayerNormEpsilon);
        self_attention = new BloomAttention(config);
        post_attention_layernorm = Layers.LayerNorm(config.HiddenSize, config.LayerNormEpsilon);
        mlp = new BloomMlp(config);
        _residualPostLayerNorm = config.ResidualPostLayerNorm;
        RegisterComponents();
    }

    /// <summary>(B, T, C) hidden states and the ALiBi mask (1, nh, T, T) to (B, T, C).</summary>
    public override Tensor forward(Tensor hidden, Tensor alibiMask)
    {
        var normed = input_layernorm.forward(hidden);
        var attended = (_residualPostLayerNorm ? normed : hidden).Plus(self_attention.forward(normed, alibiMask));
        normed = post_attention_layernorm.forward(attended);
        return (_residualPostLayerNorm ? normed : attended).Plus(mlp.forward(normed));
    }
}

/// <summary>
/// HF <c>BloomAttention</c>. The fused <c>query_key_value</c> output is laid out per head, its q, k and v side by side
/// (<c>_split_heads</c>: (B, T, nh, 3, hd)); the scores are q.k / sqrt(hd) + ALiBi.
/// </summary>
internal sealed class BloomAttention : nn.Module<Tensor, Tensor, Tensor>
{
    private readonly Linear query_key_value;
    private readonly Linear dense;
    private readonly int _heads;
    private readonly int _headSize;

    public BloomAttention(BloomConfig config) : base("self_attention")
    {
        _heads = config.Heads;
        _headSize = config.HeadSize;
        query_key_value = Layers.Linear(config.HiddenSize, 3 * config.HiddenSize);
        dense = Layers.Linear(config.HiddenSize, config.HiddenSize);
        RegisterComponents();
    }

    public override Tensor forward(Tensor hidden, Tensor alibiMask)
    {
        var (b, t) = (hidden.shape[0], hidden.shape[1]);
        var fused = query_key_value.forward(hidden).view(b, t, _heads, 3, _headSize);                 // (B, T, nh, 3, hd)
        var q = fused.select(3, 0).transpose(1, 2);                                                    // (B, nh, T, hd)
        var k = fused.select(3, 1).transpose(1, 2);
        var v = fused.select(3, 2).transpose(1, 2);
        var y = nn.functional.scaled_dot_product_attention(q, k, v, attn_mask: alibiMask);             // (B, nh, T, hd)
        return dense.forward(y.transpose(1, 2).reshape(b, t, _heads * _headSize));
    }
}

/// <summary>HF <c>BloomMLP</c>: dense_h_to_4h, BLOOM's GELU, dense_4h_to_h (4 x hidden wide, fixed).</summary>
internal sealed class BloomMlp : nn.Module<Tensor, Tensor>
{
    private readonly Linear dense_h_to_4h;
    private readonly Linear dense_4h_to_h;

    public BloomMlp(BloomConfig config) : base("mlp")
    {
        dense_h_to_4h = Layers.Linear(config.HiddenSize, 4 * config.HiddenSize);
        dense_4h_to_h = Layers.Linear(4 * config.HiddenSize, config.HiddenSize);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x) => dense_4h_to_h.forward(Gelu(dense_h_to_4h.forward(x)));

    /// <summary>
    /// <c>bloom_gelu_forward</c>: x/2 (1 + tanh(0.79788456 x (1 + 0.044715 x^2))), the tanh approximation written with
    /// Megatron's rounded sqrt(2/pi), as BLOOM was trained.
    /// </summary>
    private static Tensor Gelu(Tensor x)
    {
        var inner = x.Times(0.79788456) * (x.Times(0.044715) * x).Plus(1.0);
        return x.Times(0.5) * tanh(inner).Plus(1.0);
    }
}
