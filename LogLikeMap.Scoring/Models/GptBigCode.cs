using System.Text.Json.Nodes;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace LogLikeMap.Scoring.Models;

/// <summary>The shape of a GPT-BigCode (SantaCoder, StarCoder) model (HF <c>GPTBigCodeConfig</c>).</summary>
/// <param name="MultiQuery">One key and one value head shared by all query heads (<c>multi_query</c>).</param>
/// <param name="ScaleAttentionWeights">Divide attention scores by sqrt(head dim) (<c>scale_attn_weights</c>).</param>
public sealed record GptBigCodeConfig(
    int VocabularySize,
    int Positions,
    int EmbeddingSize,
    int Layers,
    int Heads,
    int InnerSize,
    string Activation,
    double LayerNormEpsilon,
    bool MultiQuery,
    bool ScaleAttentionWeights,
    bool TieWordEmbeddings,
    double InitializerRange)
{
    public int HeadSize => EmbeddingSize / Heads;

    /// <summary>Reads a <c>gpt_bigcode</c> config.json with the defaults of HF's <c>GPTBigCodeConfig</c>.</summary>
    /// <remarks>
    /// <c>attention_softmax_in_fp32</c> and <c>scale_attention_softmax_in_fp32</c> are not read: they upcast a
    /// half-precision softmax and divide the scores by layer + 1 before that upcast only to multiply them back after
    /// it, so they change rounding in float16/bfloat16 and nothing in float32.
    /// </remarks>
    public static GptBigCodeConfig FromJson(JsonObject json)
    {
        var config = new ConfigReader(json, "gpt_bigcode");
        var embedding = config.Int("n_embd", 768);
        var heads = config.Int("n_head", 12);
        if (heads <= 0 || embedding % heads != 0)
            throw config.Invalid($"n_embd ({embedding}) is not divisible by n_head ({heads}).");
        return new GptBigCodeConfig(
            VocabularySize: config.Int("vocab_size", 50257),
            Positions: config.Int("n_positions", 1024),
            EmbeddingSize: embedding,
            Layers: config.Int("n_layer", 12),
            Heads: heads,
            // n_inner absent or null means 4 x n_embd.
            InnerSize: config.Int("n_inner", 4 * embedding),
            Activation: config.String("activation_function", "gelu_pytorch_tanh"),
            LayerNormEpsilon: config.Double("layer_norm_epsilon", 1e-5),
            MultiQuery: config.Bool("multi_query", true),
            ScaleAttentionWeights: config.Bool("scale_attn_weights", true),
            TieWordEmbeddings: config.Bool("tie_word_embeddings", true),
            InitializerRange: config.Double("initializer_range", 0.02));
    }
}

/// <summary>
/// HF <c>GPTBigCodeForCausalLM</c>: GPT-2's network (learned positions, pre-LayerNorm blocks) with multi-query
/// attention and <c>nn.Linear</c> layers stored (out, in), unlike GPT-2's Conv1D. The head <c>lm_head</c> is the token
/// embedding itself unless <c>tie_word_embeddings</c> is false.
/// </summary>
public sealed class GptBigCode : CausalLanguageModel
{
    public static ModelArchitecture Architecture { get; } = new("gpt_bigcode", "transformer.", json => new GptBigCode(GptBigCodeConfig.FromJson(json)));

    private readonly GptBigCodeConfig _config;
    private readonly GptBigCodeBody transformer;
    private readonly Linear? lm_head;

    public GptBigCode(GptBigCodeConfig config) : base(nameof(GptBigCode))
    {
        _config = config;
        transformer = new GptBigCodeBody(config);
        if (!config.TieWordEmbeddings)
            lm_head = Layers.Linear(config.EmbeddingSize, config.VocabularySize, hasBias: false);
        RegisterComponents();
    }

    public override int MaxPositions => _config.Positions;

    public override long VocabularySize => _config.VocabularySize;

    protected override double InitializerRange => _config.InitializerRange;

    public override Tensor HiddenStates(Tensor inputIds) => transformer.forward(inputIds);

    public override Tensor OutputEmbeddings => lm_head?.weight ?? transformer.TokenEmbeddings;

    /// <summary>
    /// GPT-2's scheme, which GPTBigCodePreTrainedModel._init_weights keeps: the projections into the residual stream
    /// (<c>c_proj</c>) start with std initializer_range / sqrt(2 x n_layer).
    /// </summary>
    protected override double InitialStandardDeviation(string parameterName) =>
        parameterName.EndsWith("c_proj.weight", StringComparison.Ordinal)
            ? _config.InitializerRange / Math.Sqrt(2.0 * _config.Layers)
            : _config.InitializerRange;
}

/// <summary>HF <c>GPTBigCodeModel</c>: token and learned position embeddings, blocks, final LayerNorm.</summary>
internal sealed class GptBigCodeBody : nn.Module<Tensor, Tensor>
{
    private readonly EmbeddingTable wte;
    private readonly EmbeddingTable wpe;
    private readonly ModuleList<GptBigCodeBlock> h;
    private readonly LayerNorm ln_f;

    public GptBigCodeBody(GptBigCodeConfig config) : base("transformer")
    {
        wte = Layers.Embedding(config.VocabularySize, config.EmbeddingSize);
        wpe = Layers.Embedding(config.Positions, config.EmbeddingSize);
        h = nn.ModuleList(Enumerable.Range(0, config.Layers).Select(i => new GptBigCodeBlock(config, i)).ToArray());
        ln_f = Layers.LayerNorm(config.EmbeddingSize, config.LayerNormEpsilon);
        RegisterComponents();
    }

    /// <summary>The token embedding matrix (V, C), which a tied head reuses.</summary>
    public Tensor TokenEmbeddings => wte.Weight;

    public override Tensor forward(Tensor inputIds)
    {
        var positions = Arithmetic.Range(inputIds.shape[1], ScalarType.Int64, inputIds.device);       // (T)
        var hidden = wte.forward(inputIds).Plus(wpe.forward(positions));                              // (B, T, C)
        foreach (var block in h)
        {
            // Free each layer's intermediates, and its input, when it returns, not at the end of the batch.
            using var layerScope = NewDisposeScope();
            var next = block.forward(hidden).MoveToOuterDisposeScope();
            hidden.Dispose();
            hidden = next;
        }
        return ln_f.forward(hidden);
    }
}

/// <summary>HF <c>GPTBigCodeBlock</c>: pre-LayerNorm attention and MLP, each with a residual.</summary>
internal sealed class GptBigCodeBlock : nn.Module<Tensor, Tensor>
{
    private readonly LayerNorm ln_1;
    private readonly GptBigCodeAttention attn;
    private readonly LayerNorm ln_2;
    private readonly GptBigCodeMlp mlp;

    public GptBigCodeBlock(GptBigCodeConfig config, int index) : base($"h.{index}")
    {
        ln_1 = Layers.LayerNorm(config.EmbeddingSize, config.LayerNormEpsilon);
        attn = new GptBigCodeAttention(config);
        ln_2 = Layers.LayerNorm(config.EmbeddingSize, config.LayerNormEpsilon);
        mlp = new GptBigCodeMlp(config);
        RegisterComponents();
    }

    public override Tensor forward(Tensor hidden)
    {
        hidden = hidden.Plus(attn.forward(ln_1.forward(hidden)));
        return hidden.Plus(mlp.forward(ln_2.forward(hidden)));
    }
}

/// <summary>
/// HF <c>GPTBigCodeAttention</c>. Multi-query: <c>c_attn</c> is hidden + 2 x head_dim wide, all query heads then one
/// key and one value shared by every head. Otherwise it is 3 x hidden wide, laid out per head as q, k, v side by side
/// ((B, T, nh, 3 x hd), not GPT-2's q | k | v).
/// </summary>
internal sealed class GptBigCodeAttention : nn.Module<Tensor, Tensor>
{
    private readonly Linear c_attn;
    private readonly Linear c_proj;
    private readonly int _heads;
    private readonly int _headSize;
    private readonly bool _multiQuery;
    private readonly double _queryScale;

    public GptBigCodeAttention(GptBigCodeConfig config) : base("attn")
    {
        _heads = config.Heads;
        _headSize = config.HeadSize;
        _multiQuery = config.MultiQuery;
        var keyValueWidth = (_multiQuery ? 1 : _heads) * _headSize;
        c_attn = Layers.Linear(config.EmbeddingSize, config.EmbeddingSize + 2 * keyValueWidth);
        c_proj = Layers.Linear(config.EmbeddingSize, config.EmbeddingSize);
        // scaled_dot_product_attention always divides by sqrt(head size); scaling q undoes it when the config says not to.
        _queryScale = config.ScaleAttentionWeights ? 1.0 : Math.Sqrt(_headSize);
        RegisterComponents();
    }

    public override Tensor forward(Tensor hidden)
    {
        var (b, t, c) = (hidden.shape[0], hidden.shape[1], hidden.shape[2]);
        var fused = c_attn.forward(hidden);                                                            // (B, T, C + 2 kv)
        Tensor q, k, v;
        if (_multiQuery)
        {
            q = fused.narrow(2, 0, c).view(b, t, _heads, _headSize).transpose(1, 2);                  // (B, nh, T, hd)
            // One key and one value head, expanded (a view, no copy) to every query head.
            k = fused.narrow(2, c, _headSize).unsqueeze(1).expand(b, _heads, t, _headSize);           // (B, nh, T, hd)
            v = fused.narrow(2, c + _headSize, _headSize).unsqueeze(1).expand(b, _heads, t, _headSize);
        }
        else
        {
            var parts = fused.view(b, t, _heads, 3, _headSize);                                       // (B, T, nh, 3, hd)
            q = parts.select(3, 0).transpose(1, 2);                                                    // (B, nh, T, hd)
            k = parts.select(3, 1).transpose(1, 2);
            v = parts.select(3, 2).transpose(1, 2);
        }
        if (_queryScale != 1.0)
            q = q.Times(_queryScale);
        var y = nn.functional.scaled_dot_product_attention(q, k, v, is_casual: true);                 // (B, nh, T, hd)
        return c_proj.forward(y.transpose(1, 2).reshape(b, t, c));
    }
}

/// <summary>HF <c>GPTBigCodeMLP</c>: c_fc, activation (gelu_pytorch_tanh), c_proj.</summary>
internal sealed class GptBigCodeMlp : nn.Module<Tensor, Tensor>
{
    private readonly Linear c_fc;
    private readonly Linear c_proj;
    private readonly Func<Tensor, Tensor> _activation;

    public GptBigCodeMlp(GptBigCodeConfig config) : base("mlp")
    {
        c_fc = Layers.Linear(config.EmbeddingSize, config.InnerSize);
        c_proj = Layers.Linear(config.InnerSize, config.EmbeddingSize);
        _activation = Activations.Named(config.Activation);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x) => c_proj.forward(_activation(c_fc.forward(x)));
}
