using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace LogLikeMap.Store.Migrations.PostgreSql
{
    /// <inheritdoc />
    public partial class WorkerUploadsAndPartialScores : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "PartialScores",
                columns: table => new
                {
                    UploadId = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    ChunkIndex = table.Column<int>(type: "integer", nullable: false),
                    FirstPosition = table.Column<int>(type: "integer", nullable: false),
                    LogLikelihoods = table.Column<byte[]>(type: "bytea", nullable: false),
                    TokenCounts = table.Column<byte[]>(type: "bytea", nullable: false),
                    ScoredBy = table.Column<string>(type: "character varying(300)", maxLength: 300, nullable: false),
                    ScoredAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_PartialScores", x => new { x.UploadId, x.ChunkIndex });
                });

            migrationBuilder.CreateTable(
                name: "StoredUploads",
                columns: table => new
                {
                    UploadId = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    ManifestJson = table.Column<string>(type: "text", nullable: false),
                    Length = table.Column<long>(type: "bigint", nullable: false),
                    ChunkCount = table.Column<int>(type: "integer", nullable: false),
                    Sha256 = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    CreatedAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_StoredUploads", x => x.UploadId);
                });

            migrationBuilder.CreateTable(
                name: "StoredUploadChunks",
                columns: table => new
                {
                    UploadId = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    ChunkIndex = table.Column<int>(type: "integer", nullable: false),
                    Bytes = table.Column<byte[]>(type: "bytea", nullable: false),
                    Sha256 = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_StoredUploadChunks", x => new { x.UploadId, x.ChunkIndex });
                    table.ForeignKey(
                        name: "FK_StoredUploadChunks_StoredUploads_UploadId",
                        column: x => x.UploadId,
                        principalTable: "StoredUploads",
                        principalColumn: "UploadId",
                        onDelete: ReferentialAction.Cascade);
                });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "PartialScores");

            migrationBuilder.DropTable(
                name: "StoredUploadChunks");

            migrationBuilder.DropTable(
                name: "StoredUploads");
        }
    }
}
