using Microsoft.EntityFrameworkCore;

namespace LogLikeMap.Store;

/// <summary>Work that must be stored all or nothing, retried whole when the database drops out part-way.</summary>
public static class StoreTransactions
{
    /// <summary>
    /// Runs <paramref name="work"/> in a transaction on a fresh context and commits it. Under the store's retrying
    /// strategy (PostgreSQL) a transient failure rolls the attempt back and runs it again on a new context, so the work
    /// must start from its inputs each time (rewind a stream it reads, reset its counters). A connection lost during the
    /// commit leaves it unknown whether the commit took: the work should then find its own result and return it.
    /// </summary>
    public static async Task<T> InTransactionAsync<T>(
        this IDbContextFactory<StoreDbContext> contexts, Func<StoreDbContext, Task<T>> work, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(contexts);
        ArgumentNullException.ThrowIfNull(work);
        await using var strategyOwner = await contexts.CreateDbContextAsync(ct);
        return await strategyOwner.Database.CreateExecutionStrategy().ExecuteAsync(async token =>
        {
            await using var db = await contexts.CreateDbContextAsync(token);
            await using var transaction = await db.Database.BeginTransactionAsync(token);
            var result = await work(db);
            await transaction.CommitAsync(token);
            return result;
        }, ct);
    }
}
