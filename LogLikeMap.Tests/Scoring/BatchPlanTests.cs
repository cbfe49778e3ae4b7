using LogLikeMap.Scoring;

namespace LogLikeMap.Tests.Scoring;

public class BatchPlanTests
{
    [Fact]
    public void Batches_hold_texts_of_similar_length_within_the_padded_token_budget()
    {
        int[] lengths = [5, 100, 7, 60, 100, 6, 1];

        var batches = BatchPlan.ByLength(lengths, maxBatchTokens: 200);

        // Longest first: the two 100s fill 200; 60 alone fits 3 (60, 7, 6 padded to 60 = 180); then 5 and 1.
        Assert.Equal([[1, 4], [3, 2, 5], [0, 6]], batches);
    }

    [Fact]
    public void A_budget_of_one_token_scores_every_text_alone_and_an_over_long_text_still_gets_a_batch()
    {
        var batches = BatchPlan.ByLength([3, 500, 2], maxBatchTokens: 1);

        Assert.Equal([[1], [0], [2]], batches);
    }
}
