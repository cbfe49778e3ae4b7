using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace LogLikeMap.Store.Migrations.Sqlite
{
    /// <summary>Layouts keep the column means of their Q, so a restart centres their models exactly as the layout did.</summary>
    public partial class LayoutColumnMeans : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<byte[]>(
                name: "ColumnMeans",
                table: "Layouts",
                type: "BLOB",
                nullable: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "ColumnMeans",
                table: "Layouts");
        }
    }
}
