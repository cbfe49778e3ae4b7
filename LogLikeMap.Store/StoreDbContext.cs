using Microsoft.EntityFrameworkCore;

namespace LogLikeMap.Store;

/// <summary>
/// The store. Each database provider has its own derived context (<see cref="SqliteStoreDbContext"/>,
/// <see cref="PostgreSqlStoreDbContext"/>) because EF Core migrations carry provider-specific column types; code
/// outside Storage only sees this base type, through <see cref="Microsoft.EntityFrameworkCore.IDbContextFactory{T}"/>.
/// </summary>
public abstract class StoreDbContext(DbContextOptions options) : DbContext(options)
{
    public DbSet<TextSetEntity> TextSets => Set<TextSetEntity>();

    public DbSet<TextEntity> Texts => Set<TextEntity>();

    public DbSet<ModelEntity> Models => Set<ModelEntity>();

    public DbSet<ScoreVectorEntity> ScoreVectors => Set<ScoreVectorEntity>();

    public DbSet<MapLayoutEntity> Layouts => Set<MapLayoutEntity>();

    public DbSet<LayoutPointEntity> LayoutPoints => Set<LayoutPointEntity>();

    public DbSet<StoredUploadEntity> StoredUploads => Set<StoredUploadEntity>();

    public DbSet<StoredUploadChunkEntity> StoredUploadChunks => Set<StoredUploadChunkEntity>();

    public DbSet<PartialScoreEntity> PartialScores => Set<PartialScoreEntity>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<TextSetEntity>(e =>
        {
            e.ToTable("TextSets");
            e.Property(t => t.Name).HasMaxLength(200);
            e.Property(t => t.ContentHash).HasMaxLength(64);
            e.HasIndex(t => t.ContentHash).IsUnique();
            e.HasMany(t => t.Texts).WithOne().HasForeignKey(t => t.TextSetId).OnDelete(DeleteBehavior.Cascade);
        });
        modelBuilder.Entity<TextEntity>(e =>
        {
            e.ToTable("Texts");
            e.Property(t => t.Domain).HasMaxLength(200);
            e.HasIndex(t => new { t.TextSetId, t.Position }).IsUnique();
            e.HasIndex(t => new { t.TextSetId, t.Index }).IsUnique();
        });
        modelBuilder.Entity<ModelEntity>(e =>
        {
            e.ToTable("Models");
            e.Property(m => m.Name).HasMaxLength(300);
            e.HasIndex(m => m.Name).IsUnique();
            e.Property(m => m.Family).HasMaxLength(100);
            e.Property(m => m.Architecture).HasMaxLength(100);
            e.Property(m => m.Source).HasMaxLength(300);
            e.HasMany(m => m.ScoreVectors).WithOne(v => v.Model).HasForeignKey(v => v.ModelId).OnDelete(DeleteBehavior.Cascade);
        });
        modelBuilder.Entity<ScoreVectorEntity>(e =>
        {
            e.ToTable("ScoreVectors");
            e.HasIndex(v => new { v.ModelId, v.TextSetId }).IsUnique();
            e.HasOne<TextSetEntity>().WithMany().HasForeignKey(v => v.TextSetId).OnDelete(DeleteBehavior.Cascade);
            e.Property(v => v.Dtype).HasMaxLength(20);
            e.Property(v => v.ScorerVersion).HasMaxLength(100);
        });
        modelBuilder.Entity<MapLayoutEntity>(e =>
        {
            e.ToTable("Layouts");
            e.HasIndex(l => new { l.TextSetId, l.Version }).IsUnique();
            e.HasOne<TextSetEntity>().WithMany().HasForeignKey(l => l.TextSetId).OnDelete(DeleteBehavior.Cascade);
            e.HasMany(l => l.Points).WithOne().HasForeignKey(p => p.LayoutId).OnDelete(DeleteBehavior.Cascade);
        });
        modelBuilder.Entity<LayoutPointEntity>(e =>
        {
            e.ToTable("LayoutPoints");
            e.HasIndex(p => new { p.LayoutId, p.ModelId }).IsUnique();
            e.HasOne(p => p.Model).WithMany().HasForeignKey(p => p.ModelId).OnDelete(DeleteBehavior.Cascade);
        });
        modelBuilder.Entity<StoredUploadEntity>(e =>
        {
            e.ToTable("StoredUploads");
            e.HasKey(u => u.UploadId);
            e.Property(u => u.UploadId).HasMaxLength(32);
            e.Property(u => u.Sha256).HasMaxLength(64);
        });
        modelBuilder.Entity<StoredUploadChunkEntity>(e =>
        {
            e.ToTable("StoredUploadChunks");
            e.HasKey(c => new { c.UploadId, c.ChunkIndex });
            e.Property(c => c.UploadId).HasMaxLength(32);
            e.Property(c => c.Sha256).HasMaxLength(64);
            e.HasOne<StoredUploadEntity>().WithMany().HasForeignKey(c => c.UploadId).OnDelete(DeleteBehavior.Cascade);
        });
        modelBuilder.Entity<PartialScoreEntity>(e =>
        {
            e.ToTable("PartialScores");
            // One row per chunk: a chunk stored twice (two workers scoring it) is refused by the database.
            e.HasKey(p => new { p.UploadId, p.ChunkIndex });
            e.Property(p => p.UploadId).HasMaxLength(32);
            e.Property(p => p.ScoredBy).HasMaxLength(300);
        });
    }
}

/// <summary>The embedded default: SQLite.</summary>
public sealed class SqliteStoreDbContext(DbContextOptions<SqliteStoreDbContext> options) : StoreDbContext(options);

/// <summary>PostgreSQL, chosen by <see cref="StoreOptions.Provider"/>.</summary>
public sealed class PostgreSqlStoreDbContext(DbContextOptions<PostgreSqlStoreDbContext> options) : StoreDbContext(options);
