using System.Text.Json.Nodes;

namespace LogLikeMap.Lab.Zoo;

/// <summary>The architectures the zoo trains, by config.json <c>model_type</c>.</summary>
public enum ZooArchitecture
{
    Gpt2,
    Llama,
    GptNeoX,
}

/// <summary>
/// One model of the zoo, or one training run that saves several. A run saves one model at its end, plus one per
/// earlier entry of <see cref="SavedSteps"/> (checkpoints along the run). A fine-tune starts from its
/// <see cref="Parent"/>'s final weights; a model with a <see cref="Derivation"/> is not trained but computed from
/// other saved models' weights (merges, round trips, quantisation).
/// </summary>
/// <param name="Name">The saved model's name (earlier saved steps append "-step0100" etc.).</param>
/// <param name="Family">The family shown on the map: the lineage, i.e. the base model this one descends from.</param>
/// <param name="Tokenizer">"bytes", "bpe1k", "bpe2k" or "bpe4k" (see <see cref="ZooTokenizer"/>).</param>
/// <param name="Width">d_model.</param>
/// <param name="Mixture">Slugs of the training domains, sampled with equal weight.</param>
/// <param name="Steps">Optimiser steps of this run (for a fine-tune: steps after the parent's).</param>
/// <param name="SavedSteps">Earlier steps at which to save a checkpoint named NAME-stepNNNN; the last step is always saved under <see cref="Name"/>.</param>
/// <param name="InMap">False for the "try uploading this" samples shipped outside the map.</param>
/// <param name="Change">What was done to the base to make this model (<see cref="ZooChange"/>): the map's "kind of change".</param>
/// <param name="Data">The training data of the change in words (a domain, "instructions", "map texts", ...).</param>
/// <param name="Derivation">How the weights are computed from other zoo models, for a model that is not trained.</param>
public sealed record ZooModelSpec(
    string Name,
    string Family,
    ZooArchitecture Architecture,
    string Tokenizer,
    int Width,
    int Layers,
    int Heads,
    int Context,
    IReadOnlyList<string> Mixture,
    int Seed,
    int Steps,
    double LearningRate,
    string? Parent = null,
    IReadOnlyList<int>? SavedSteps = null,
    bool InMap = true,
    string Change = ZooChange.Base,
    string? Data = null,
    ZooDerivation? Derivation = null)
{
    public string ModelType => Architecture switch
    {
        ZooArchitecture.Gpt2 => "gpt2",
        ZooArchitecture.Llama => "llama",
        ZooArchitecture.GptNeoX => "gpt_neox",
        _ => throw new ArgumentOutOfRangeException(nameof(Architecture), Architecture, "Not a zoo architecture."),
    };

    /// <summary>The names of the models this run saves, with the step each is saved at.</summary>
    public IReadOnlyList<(string Name, int Step)> SavedModels =>
        [.. (SavedSteps ?? []).Where(step => step < Steps).Select(step => ($"{Name}-step{step:D4}", step)), (Name, Steps)];

    /// <summary>The data a model was trained on in words: <see cref="Data"/>, else its domains joined by "+".</summary>
    public string DataDescription => Data ?? string.Join("+", Mixture);

    /// <summary>
    /// The config.json of this model, with the keys and defaults of the matching transformers config class
    /// (GPT2Config, LlamaConfig, GPTNeoXConfig), so transformers and the project's scorer read it alike.
    /// </summary>
    public JsonObject Config(ZooTokenizer tokenizer)
    {
        ArgumentNullException.ThrowIfNull(tokenizer);
        var config = Architecture switch
        {
            ZooArchitecture.Gpt2 => new JsonObject
            {
                ["model_type"] = "gpt2",
                ["architectures"] = new JsonArray("GPT2LMHeadModel"),
                ["vocab_size"] = tokenizer.VocabularySize,
                ["n_positions"] = Context,
                ["n_ctx"] = Context,
                ["n_embd"] = Width,
                ["n_layer"] = Layers,
                ["n_head"] = Heads,
                ["n_inner"] = 4 * Width,
                ["activation_function"] = "gelu_new",
                ["layer_norm_epsilon"] = 1e-5,
                ["tie_word_embeddings"] = true,
            },
            ZooArchitecture.Llama => new JsonObject
            {
                ["model_type"] = "llama",
                ["architectures"] = new JsonArray("LlamaForCausalLM"),
                ["vocab_size"] = tokenizer.VocabularySize,
                ["hidden_size"] = Width,
                // SwiGLU's width as in LLaMA: about 8/3 d, rounded up to a multiple of 16.
                ["intermediate_size"] = (8 * Width / 3 + 15) / 16 * 16,
                ["num_hidden_layers"] = Layers,
                ["num_attention_heads"] = Heads,
                ["num_key_value_heads"] = Heads,
                ["max_position_embeddings"] = Context,
                ["rms_norm_eps"] = 1e-5,
                ["rope_theta"] = 10000.0,
                ["hidden_act"] = "silu",
                ["attention_bias"] = false,
                ["tie_word_embeddings"] = false,
            },
            ZooArchitecture.GptNeoX => new JsonObject
            {
                ["model_type"] = "gpt_neox",
                ["architectures"] = new JsonArray("GPTNeoXForCausalLM"),
                ["vocab_size"] = tokenizer.VocabularySize,
                ["hidden_size"] = Width,
                ["intermediate_size"] = 4 * Width,
                ["num_hidden_layers"] = Layers,
                ["num_attention_heads"] = Heads,
                ["max_position_embeddings"] = Context,
                ["rotary_pct"] = 0.25,
                ["rotary_emb_base"] = 10000,
                ["layer_norm_eps"] = 1e-5,
                ["use_parallel_residual"] = true,
                ["hidden_act"] = "gelu",
                ["tie_word_embeddings"] = false,
            },
            _ => throw new ArgumentOutOfRangeException(nameof(Architecture), Architecture, "Not a zoo architecture."),
        };
        config["initializer_range"] = 0.02;
        config["bos_token_id"] = tokenizer.EndOfTextId;
        config["eos_token_id"] = tokenizer.EndOfTextId;
        config["torch_dtype"] = "float32";
        return config;
    }
}
