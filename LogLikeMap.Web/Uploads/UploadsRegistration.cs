using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Options;

namespace LogLikeMap.Web.Uploads;

public static class UploadsRegistration
{
    /// <summary>Upload limits (bound and validated at start) and the upload service; request size limits follow them.</summary>
    public static IHostApplicationBuilder AddUploads(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddOptions<UploadOptions>()
            .Bind(builder.Configuration.GetSection(UploadOptions.Section))
            .ValidateDataAnnotations()
            .ValidateOnStart();
        builder.Services.AddSingleton<Workers.SharedUploads>();
        builder.Services.AddSingleton<UploadService>();
        builder.Services.AddSingleton<Services.IUploadService>(sp => sp.GetRequiredService<UploadService>());
        builder.Services.AddHostedService<UploadsCleanup>();

        // Kestrel's default body limit (30 MB) stays for everything else; the upload endpoints raise it to the
        // zip limit (UploadsApi), and a multipart section may be as large as that.
        builder.Services.AddOptions<FormOptions>().Configure<IOptions<UploadOptions>>((form, uploads) =>
        {
            form.MultipartBodyLengthLimit = uploads.Value.MaxZipBytes + (1 << 20);
            form.ValueLengthLimit = 1 << 20;
        });
        return builder;
    }
}
