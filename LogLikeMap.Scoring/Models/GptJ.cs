using System.Text.Json.Nodes;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace LogLikeMap.Scoring.Models;

/// <summary>The shape of a GPT-J model (HF <c>GPTJConfig</c>).</summary>
/// <param name="RotaryDimensions">The leading features of each head that rotate (<c>rotary_dim</c>), in adjacent pairs.</param>
public sealed record GptJConfig(
    int VocabularySize,
    int Positions,
    int EmbeddingSize,
    int Layers,
    int Heads,
    int RotaryDimensions,
    int InnerSize,
    string Activation,
    double LayerNormEpsilon,
    bool TieWordEmbeddings,
    double InitializerRange)
{
    /// <summary>GPT-J's rotary base, fixed in <c>create_sinusoidal_positions</c>.</summary>
    public const double RotaryBase = 10000.0;

    public int HeadSize => EmbeddingSize / Heads;

    /// <summary>Reads a <c>gptj</c> config.json with the defaults of HF's <c>GPTJConfig</c> (those of GPT-J-6B).</summary>
    public static GptJConfig FromJson(JsonObject json)
    {
        var config = new ConfigReader(json, "gptj");
        var embedding = config.Int("n_embd", 4096);
        var heads = config.Int("n_head", 16);
        if (heads <= 0 || embedding % heads != 0)
            throw config.Invalid($"n_embd ({embedding}) is not divisible by n_head ({heads}).");
        var headSize = embedding / heads;
        // rotary_dim null makes HF build sinusoids n_embd wide for heads head_dim wide, which only runs with one head.
        if (json.ContainsKey("rotary_dim") && json["rotary_dim"] is null)
            throw config.Invalid($"rotary_dim null is not supported; give the number of rotating features per head (at most {headSize}).");
        var rotary = config.Int("rotary_dim", 64);
        if (rotary <= 0 || rotary % 2 != 0 || rotary > headSize)
            throw config.Invalid($"rotary_dim {rotary} is not supported: it must be an even number from 2 to the head size ({headSize}).");
        return new GptJConfig(
            VocabularySize: config.Int("vocab_size", 50400),
            Positions: config.Int("n_positions", 2048),
            EmbeddingSize: embedding,
            Layers: config.Int("n_layer", 28),
            Heads: heads,
            RotaryDimensions: rotary,
            // n_inner absent or null means 4 x n_embd.
            InnerSize: config.Int("n_inner", 4 * embedding),
            Activation: config.String("activation_function", "gelu_new"),
            LayerNormEpsilon: config.Double("layer_norm_epsilon", 1e-5),
            TieWordEmbeddings: config.Bool("tie_word_embeddings", false),
            InitializerRange: config.Double("initializer_range", 0.02));
    }
}

/// <summary>
/// HF <c>GPTJForCausalLM</c>: the body <c>transformer</c> and the head <c>lm_head</c>, a linear layer with a bias
/// (its weight is the token embedding when <c>tie_word_embeddings</c> is true, its bias stays its own).
/// </summary>
public sealed class GptJ : CausalLanguageModel
{
    public static ModelArchitecture Architecture { get; } = new("gptj", "transformer.", json => new GptJ(GptJConfig.FromJson(json)));

    private readonly GptJConfig _config;
    private readonly GptJBody transformer;
    private readonly GptJHead lm_head;

    public GptJ(GptJConfig config) : base(nameof(GptJ))
    {
        _config = config;
        transformer = new GptJBody(config);
        lm_head = new GptJHead(config);
        RegisterComponents();
    }

    public override int MaxPositions => _config.Positions;

    public override long VocabularySize => _config.VocabularySize;

    protected override double InitializerRange => _config.InitializerRange;

    public override Tensor HiddenStates(Tensor inputIds) => transformer.forward(inputIds);

    public override Tensor OutputEmbeddings => lm_head.Weight ?? transformer.TokenEmbeddings;

    public override Tensor OutputBias => lm_head.Bias;
}

/// <summary>GPT-J's <c>lm_head</c>: weight (V, C), absent when tied to the token embedding, and bias (V).</summary>
internal sealed class GptJHead : nn.Module
{
    private readonly Parameter? weight;
    private readonly Parameter bias;

    public GptJHead(GptJConfig config) : base("lm_head")
    {
        if (!config.TieWordEmbeddings)
            weight = Layers.Parameter(config.VocabularySize, config.EmbeddingSize);
        bias = Layers.Parameter(config.VocabularySize);
        RegisterComponents();
    }

    public Tensor? Weight => weight;

    public Tensor Bias => bias;
}

/// <summary>HF <c>GPTJModel</c>: token embeddings (positions are rotary, inside attention), blocks, final LayerNorm.</summary>
internal sealed class GptJBody : nn.Module<Tensor, Tensor>
{
    private readonly EmbeddingTable wte;
    private readonly ModuleList<GptJBlock> h;
    private readonly LayerNorm ln_f;
    private readonly GptJConfig _config;

    public GptJBody(GptJConfig config) : base("transformer")
    {
        _config = config;
        wte = Layers.Embedding(config.VocabularySize, config.EmbeddingSize);
        h = nn.ModuleList(Enumerable.Range(0, config.Layers).Select(i => new GptJBlock(config, i)).ToArray());
        ln_f = Layers.LayerNorm(config.EmbeddingSize, config.LayerNormEpsilon);
        RegisterComponents();
    }

    /// <summary>The token embedding matrix (V, C), which a tied head reuses.</summary>
    public Tensor TokenEmbeddings => wte.Weight;

    public override Tensor forward(Tensor inputIds)
    {
        var hidden = wte.forward(inputIds);                                                            // (B, T, C)
        var angles = PairAngles(_config.RotaryDimensions, inputIds.shape[1], hidden.device);          // (T, rot) each
        foreach (var block in h)
        {
            // Free each layer's intermediates, and its input, when it returns, not at the end of the batch.
            using var layerScope = NewDisposeScope();
            var next = block.forward(hidden, angles).MoveToOuterDisposeScope();
            hidden.Dispose();
            hidden = next;
        }
        return ln_f.forward(hidden);
    }

    /// <summary>
    /// <c>create_sinusoidal_positions</c>: angle t x 10000^(-2i/rot) for pair i, in float32, each repeated for both
    /// features of its pair ([a0, a0, a1, a1, ...]), as <c>apply_rotary_pos_emb</c>'s repeat_interleave does.
    /// </summary>
    private static (Tensor Cos, Tensor Sin) PairAngles(int rotary, long positions, Device device)
    {
        var exponents = Arithmetic.Range(0, rotary, 2, ScalarType.Int64, device).to(ScalarType.Float32).DividedBy(rotary);
        var inverse = pow(tensor(GptJConfig.RotaryBase, ScalarType.Float32, device), exponents).Dividing(1.0);  // (rot/2)
        var angles = outer(Arithmetic.Range(positions, ScalarType.Float32, device), inverse);          // (T, rot/2)
        return (angles.cos().repeat_interleave(2, 1), angles.sin().repeat_interleave(2, 1));              // (T, rot)
    }
}

/// <summary>HF <c>GPTJBlock</c>: one LayerNorm (<c>ln_1</c>) feeding attention and MLP in parallel, x + attn + mlp.</summary>
internal sealed class GptJBlock : nn.Module<Tensor, (Tensor Cos, Tensor Sin), Tensor>
{
    private readonly LayerNorm ln_1;
    private readonly GptJAttention attn;
    private readonly GptJMlp mlp;

    public GptJBlock(GptJConfig config, int index) : base($"h.{index}")
    {
        ln_1 = Layers.LayerNorm(config.EmbeddingSize, config.LayerNormEpsilon);
        attn = new GptJAttention(config);
        mlp = new GptJMlp(config);
        RegisterComponents();
    }

    public override Tensor forward(Tensor hidden, (Tensor Cos, Tensor Sin) angles)
    {
        var normed = ln_1.forward(hidden);
        return hidden.Plus(attn.forward(normed, angles)).Plus(mlp.forward(normed));
    }
}

/// <summary>
/// HF <c>GPTJAttention</c>: q/k/v/out projections without biases; the first rotary_dim features of q and k rotate in
/// adjacent pairs (<c>rotate_every_two</c>, GPT-J's layout, not llama's halves). As in HF the rotation and the scores
/// are float32 whatever the model's dtype (its sinusoids are a float32 table), the output back in the model's dtype.
/// </summary>
internal sealed class GptJAttention : nn.Module<Tensor, (Tensor Cos, Tensor Sin), Tensor>
{
    private readonly Linear k_proj;
    private readonly Linear v_proj;
    private readonly Linear q_proj;
    private readonly Linear out_proj;
    private readonly int _heads;
    private readonly int _headSize;

    public GptJAttention(GptJConfig config) : base("attn")
    {
        _heads = config.Heads;
        _headSize = config.HeadSize;
        k_proj = Layers.Linear(config.EmbeddingSize, config.EmbeddingSize, hasBias: false);
        v_proj = Layers.Linear(config.EmbeddingSize, config.EmbeddingSize, hasBias: false);
        q_proj = Layers.Linear(config.EmbeddingSize, config.EmbeddingSize, hasBias: false);
        out_proj = Layers.Linear(config.EmbeddingSize, config.EmbeddingSize, hasBias: false);
        RegisterComponents();
    }

    public override Tensor forward(Tensor hidden, (Tensor Cos, Tensor Sin) angles)
    {
        var (b, t, c) = (hidden.shape[0], hidden.shape[1], hidden.shape[2]);
        var dtype = hidden.dtype;
        var q = q_proj.forward(hidden).view(b, t, _heads, _headSize).transpose(1, 2).to(ScalarType.Float32);  // (B, nh, T, hd)
        var k = k_proj.forward(hidden).view(b, t, _heads, _headSize).transpose(1, 2).to(ScalarType.Float32);
        var v = v_proj.forward(hidden).view(b, t, _heads, _headSize).transpose(1, 2).to(ScalarType.Float32);
        q = RotatePairs(q, angles);
        k = RotatePairs(k, angles);
        var y = nn.functional.scaled_dot_product_attention(q, k, v, is_casual: true).to(dtype);        // (B, nh, T, hd)
        return out_proj.forward(y.transpose(1, 2).reshape(b, t, c));
    }

    /// <summary>
    /// x * cos + rotate_every_two(x) * sin on the first rot features of x (B, nh, T, hd), the rest passed through;
    /// rotate_every_two maps each pair (x_2i, x_2i+1) to (-x_2i+1, x_2i).
    /// </summary>
    private static Tensor RotatePairs(Tensor x, (Tensor Cos, Tensor Sin) angles)
    {
        var rotary = angles.Cos.shape[^1];
        var head = x.shape[^1];
        var rotating = x.narrow(-1, 0, rotary);                                                        // (B, nh, T, rot)
        var pairs = rotating.reshape(x.shape[0], x.shape[1], x.shape[2], rotary / 2, 2);               // (B, nh, T, rot/2, 2)
        var everyTwo = stack([-pairs.select(-1, 1), pairs.select(-1, 0)], -1).flatten(-2);            // (B, nh, T, rot)
        var rotated = (rotating * angles.Cos).Plus(everyTwo * angles.Sin);
        return rotary == head ? rotated : cat([rotated, x.narrow(-1, rotary, head - rotary)], -1);
    }
}

/// <summary>HF <c>GPTJMLP</c>: fc_in, activation (gelu_new), fc_out, with biases.</summary>
internal sealed class GptJMlp : nn.Module<Tensor, Tensor>
{
    private readonly Linear fc_in;
    private readonly Linear fc_out;
    private readonly Func<Tensor, Tensor> _activation;

    public GptJMlp(GptJConfig config) : base("mlp")
    {
        fc_in = Layers.Linear(config.EmbeddingSize, config.InnerSize);
        fc_out = Layers.Linear(config.InnerSize, config.EmbeddingSize);
        _activation = Activations.Named(config.Activation);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x) => fc_out.forward(_activation(fc_in.forward(x)));
}
