using System.Text.Json.Nodes;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace LogLikeMap.Scoring.Models;

/// <summary>The shape of a GPT-2 model (HF <c>GPT2Config</c>).</summary>
/// <param name="InnerSize">Width of the MLP (<c>n_inner</c>, null meaning 4 x n_embd).</param>
/// <param name="ScaleAttentionWeights">Divide attention scores by sqrt(head dim) (<c>scale_attn_weights</c>).</param>
/// <param name="ScaleAttentionByInverseLayerIndex">Also divide them by layer index + 1.</param>
public sealed record Gpt2Config(
    int VocabularySize,
    int Positions,
    int EmbeddingSize,
    int Layers,
    int Heads,
    int InnerSize,
    string Activation,
    double LayerNormEpsilon,
    bool ScaleAttentionWeights,
    bool ScaleAttentionByInverseLayerIndex,
    bool TieWordEmbeddings,
    double InitializerRange)
{
    /// <summary>Reads a <c>gpt2</c> config.json with the defaults of HF's <c>GPT2Config</c>.</summary>
    public static Gpt2Config FromJson(JsonObject json)
    {
        var config = new ConfigReader(json, "gpt2");
        var embedding = config.Int("n_embd", 768);
        var heads = config.Int("n_head", 12);
        if (heads <= 0 || embedding % heads != 0)
            throw config.Invalid($"n_embd ({embedding}) is not divisible by n_head ({heads}).");
        // reorder_and_upcast_attn only changes the rounding of fp16 attention, so it is not read.
        return new Gpt2Config(
            VocabularySize: config.Int("vocab_size", 50257),
            Positions: config.Int("n_positions", 1024),
            EmbeddingSize: embedding,
            Layers: config.Int("n_layer", 12),
            Heads: heads,
            InnerSize: config.Int("n_inner", 4 * embedding),
            Activation: config.String("activation_function", "gelu_new"),
            LayerNormEpsilon: config.Double("layer_norm_epsilon", 1e-5),
            ScaleAttentionWeights: config.Bool("scale_attn_weights", true),
            ScaleAttentionByInverseLayerIndex: config.Bool("scale_attn_by_inverse_layer_idx", false),
            TieWordEmbeddings: config.Bool("tie_word_embeddings", true),
            InitializerRange: config.Double("initializer_range", 0.02));
    }
}

/// <summary>
/// HF <c>GPT2LMHeadModel</c>: the body <c>transformer</c> and the head <c>lm_head</c>, which is the token embedding
/// itself unless <c>tie_word_embeddings</c> is false.
/// </summary>
public sealed class Gpt2 : CausalLanguageModel
{
    public static ModelArchitecture Architecture { get; } = new("gpt2", "transformer.", json => new Gpt2(Gpt2Config.FromJson(json)));

    private readonly Gpt2Config _config;
    private readonly Gpt2Body transformer;
    private readonly Linear? lm_head;

    public Gpt2(Gpt2Config config) : base(nameof(Gpt2))
    {
        _config = config;
        transformer = new Gpt2Body(config);
        if (!config.TieWordEmbeddings)
            lm_head = Layers.Linear(config.EmbeddingSize, config.VocabularySize, hasBias: false);
        RegisterComponents();
    }

    public override int MaxPositions => _config.Positions;

    public override long VocabularySize => _config.VocabularySize;

    protected override double InitializerRange => _config.InitializerRange;

    /// <summary>The Conv1D weights (<c>c_attn</c>, <c>c_proj</c>, <c>c_fc</c>), stored (in, out) in the checkpoint.</summary>
    public override bool StoredTransposed(string parameterName) =>
        parameterName.EndsWith(".weight", StringComparison.Ordinal)
        && (parameterName.Contains(".attn.c_", StringComparison.Ordinal) || parameterName.Contains(".mlp.c_", StringComparison.Ordinal));

    public override Tensor HiddenStates(Tensor inputIds) => transformer.forward(inputIds);

    public override Tensor OutputEmbeddings => lm_head?.weight ?? transformer.TokenEmbeddings;

    /// <summary>
    /// GPT-2's scheme (HF <c>GPT2PreTrainedModel._init_weights</c>): the projections into the residual stream
    /// (<c>c_proj</c>) start with std initializer_range / sqrt(2 x n_layer), as the GPT-2 paper prescribes.
    /// </summary>
    protected override double InitialStandardDeviation(string parameterName) =>
        parameterName.EndsWith("c_proj.weight", StringComparison.Ordinal)
            ? _config.InitializerRange / Math.Sqrt(2.0 * _config.Layers)
            : _config.InitializerRange;
}

/// <summary>HF <c>GPT2Model</c>: token and learned position embeddings, blocks, final LayerNorm.</summary>
internal sealed class Gpt2Body : nn.Module<Tensor, Tensor>
{
    private readonly EmbeddingTable wte;
    private readonly EmbeddingTable wpe;
    private readonly ModuleList<Gpt2Block> h;
    private readonly LayerNorm ln_f;

    public Gpt2Body(Gpt2Config config) : base("transformer")
    {
        wte = Layers.Embedding(config.VocabularySize, config.EmbeddingSize);
        wpe = Layers.Embedding(config.Positions, config.EmbeddingSize);
        h = nn.ModuleList(Enumerable.Range(0, config.Layers).Select(i => new Gpt2Block(config, i)).ToArray());
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
            // Free each layer's intermediates, and its input, when it returns, not at the end of the batch: otherwise
            // they pile up over all layers (a 7B model's MLP activations alone are about 1 GB a layer at 8,192 tokens).
            // Autograd keeps its own references, so training is unaffected.
            using var layerScope = NewDisposeScope();
            var next = block.forward(hidden).MoveToOuterDisposeScope();
            hidden.Dispose();
            hidden = next;
        }
        return ln_f.forward(hidden);
    }
}

/// <summary>HF <c>GPT2Block</c>: pre-LayerNorm attention and MLP, each with a residual.</summary>
internal sealed class Gpt2Block : nn.Module<Tensor, Tensor>
{
    private readonly LayerNorm ln_1;
    private readonly Gpt2Attention attn;
    private readonly LayerNorm ln_2;
    private readonly Gpt2Mlp mlp;

    public Gpt2Block(Gpt2Config config, int index) : base($"h.{index}")
    {
        ln_1 = Layers.LayerNorm(config.EmbeddingSize, config.LayerNormEpsilon);
        attn = new Gpt2Attention(config, index);
        ln_2 = Layers.LayerNorm(config.EmbeddingSize, config.LayerNormEpsilon);
        mlp = new Gpt2Mlp(config);
        RegisterComponents();
    }

    public override Tensor forward(Tensor hidden)
    {
        hidden = hidden.Plus(attn.forward(ln_1.forward(hidden)));
        return hidden.Plus(mlp.forward(ln_2.forward(hidden)));
    }
}

/// <summary>HF <c>GPT2Attention</c>: one fused projection to q, k, v (<c>c_attn</c>), causal attention, <c>c_proj</c>.</summary>
internal sealed class Gpt2Attention : nn.Module<Tensor, Tensor>
{
    private readonly Conv1D c_attn;
    private readonly Conv1D c_proj;
    private readonly int _heads;
    private readonly int _headSize;
    private readonly double _queryScale;

    public Gpt2Attention(Gpt2Config config, int layerIndex) : base("attn")
    {
        _heads = config.Heads;
        _headSize = config.EmbeddingSize / config.Heads;
        c_attn = new Conv1D(config.EmbeddingSize, 3 * config.EmbeddingSize);
        c_proj = new Conv1D(config.EmbeddingSize, config.EmbeddingSize);
        // scaled_dot_product_attention always divides by sqrt(head size); scaling q adjusts for the config's choices.
        _queryScale = (config.ScaleAttentionWeights ? 1.0 : Math.Sqrt(_headSize))
                      / (config.ScaleAttentionByInverseLayerIndex ? layerIndex + 1 : 1);
        RegisterComponents();
    }

    public override Tensor forward(Tensor hidden)
    {
        var (b, t, c) = (hidden.shape[0], hidden.shape[1], hidden.shape[2]);
        var qkv = c_attn.forward(hidden).split(c, 2);                                                // 3 x (B, T, C)
        var q = qkv[0].view(b, t, _heads, _headSize).transpose(1, 2);                                 // (B, nh, T, hs)
        var k = qkv[1].view(b, t, _heads, _headSize).transpose(1, 2);                                 // (B, nh, T, hs)
        var v = qkv[2].view(b, t, _heads, _headSize).transpose(1, 2);                                 // (B, nh, T, hs)
        if (_queryScale != 1.0)
            q = q.Times(_queryScale);
        var y = nn.functional.scaled_dot_product_attention(q, k, v, is_casual: true);                 // (B, nh, T, hs)
        return c_proj.forward(y.transpose(1, 2).reshape(b, t, c));
    }
}

/// <summary>HF <c>GPT2MLP</c>: c_fc, activation (gelu_new), c_proj.</summary>
internal sealed class Gpt2Mlp : nn.Module<Tensor, Tensor>
{
    private readonly Conv1D c_fc;
    private readonly Conv1D c_proj;
    private readonly Func<Tensor, Tensor> _activation;

    public Gpt2Mlp(Gpt2Config config) : base("mlp")
    {
        c_fc = new Conv1D(config.EmbeddingSize, config.InnerSize);
        c_proj = new Conv1D(config.InnerSize, config.EmbeddingSize);
        _activation = Activations.Named(config.Activation);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x) => c_proj.forward(_activation(c_fc.forward(x)));
}

/// <summary>
/// HF <c>pytorch_utils.Conv1D</c>: a linear layer. The checkpoint stores its weight (in, out), the transpose of
/// <c>nn.Linear</c>'s; here it is held (out, in) and transposed on load and save (<see cref="Gpt2.StoredTransposed"/>),
/// because libtorch's CPU matmul is far slower on the (in, out) layout in bfloat16 (about 12x measured with
/// <c>loglikemap bench scoring</c>) and no faster in float32.
/// </summary>
internal sealed class Conv1D : nn.Module<Tensor, Tensor>
{
    private readonly Parameter weight;
    private readonly Parameter bias;

    public Conv1D(long inputSize, long outputSize) : base(nameof(Conv1D))
    {
        // Uninitialised, as every layer here (Layers): loading or InitializeWeights sets them.
        weight = Layers.Parameter(outputSize, inputSize);
        bias = Layers.Parameter(outputSize);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x) => nn.functional.linear(x, weight, bias);                   // (..., out)
}
