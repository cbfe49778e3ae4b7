using LogLikeMap.Scoring.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace LogLikeMap.Scoring;

/// <summary>
/// The language-model head as the scorer applies it: (n, C) hidden states to (n, V') logits whose log-softmax over
/// V' columns equals the model's over its V. When V is not a multiple of 64 (GPT-2's 50,257) the head is a copy of
/// the output embeddings padded with zero rows to the next multiple, and a bias of 0 on real columns and -inf on the
/// padding, whose exp is exactly 0 (a head with its own bias, GPT-J's, keeps it on the real columns): libtorch's CPU matmul runs about 15-25% faster on the aligned width (measured
/// at 333-1,024 positions x 768 x 50,257 vs 50,304, float32, 2 threads), and the head is a third of GPT-2-small's
/// work. Other vocabularies (32,000, 128,256, 151,936, 50,304) use the model's own weights. A head that soft-caps its
/// logits (Gemma 2) applies the cap here too.
/// </summary>
internal sealed class ScoringHead : IDisposable
{
    private const long Alignment = 64;

    private readonly Tensor _weight;
    private readonly Tensor? _bias;
    private readonly bool _ownsWeight;
    private readonly double? _softCap;

    private ScoringHead(Tensor weight, Tensor? bias, bool ownsWeight, double? softCap = null)
    {
        _weight = weight;
        _bias = bias;
        _ownsWeight = ownsWeight;
        _softCap = softCap;
    }

    public static ScoringHead For(CausalLanguageModel model)
    {
        var embeddings = model.OutputEmbeddings;                                                      // (V, C)
        var modelBias = model.OutputBias;                                                             // (V) or null
        var (vocabulary, width) = (embeddings.shape[0], embeddings.shape[1]);
        var padding = (Alignment - vocabulary % Alignment) % Alignment;
        // Soft-capping would turn the padding's -inf into -cap, so a capped head keeps the model's width (Gemma's
        // vocabularies, the capped ones, are multiples of 64 anyway).
        if (padding == 0 || model.FinalLogitSoftCapping is not null)
            return new ScoringHead(embeddings, modelBias, ownsWeight: false, model.FinalLogitSoftCapping);

        using var noGrad = no_grad();
        using var scope = NewDisposeScope();  // frees the temporaries; the head keeps the two tensors it detaches
        var options = (dtype: embeddings.dtype, device: embeddings.device);
        var zeroRows = zeros(padding, width, options.dtype, options.device);
        var weight = cat([embeddings, zeroRows], 0).DetachFromDisposeScope();                         // (V', C)
        var bias = cat(
            [modelBias ?? zeros(vocabulary, options.dtype, options.device), Arithmetic.Full(padding, double.NegativeInfinity, options.dtype, options.device)],
            0).DetachFromDisposeScope();                                                                // (V')
        return new ScoringHead(weight, bias, ownsWeight: true);
    }

    /// <summary>Logits over the padded width, in the model's dtype: (n, C) to (n, V').</summary>
    public Tensor Logits(Tensor hiddenStates) => SoftCapping.Apply(nn.functional.linear(hiddenStates, _weight, _bias), _softCap);

    public void Dispose()
    {
        if (!_ownsWeight)
            return;  // the model's own head weight and bias
        _weight.Dispose();
        _bias?.Dispose();
    }
}
