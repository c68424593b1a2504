using Microsoft.Extensions.FileProviders;

namespace Dcsd.Service.Http.WebConsole;

/// <summary>
/// The web console: a small static app (HTML, CSS, JS embedded in this assembly) under <c>/console</c>, which signs in with
/// AK/SK for a token and then calls the DCS API like any client. Its branch sits before authentication, so its files are
/// public; every API call it makes carries X-Auth-Token and is checked as any other. Only GET and HEAD of the embedded files
/// are answered here; anything else under /console falls through to the DCS 404.
/// </summary>
internal static class ConsoleFiles
{
    public const string Route = "/console";

    /// <summary>Where the files are: no inline script or style, nothing from another origin, no framing.</summary>
    private const string ContentSecurityPolicy =
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; form-action 'none'; frame-ancestors 'none'; base-uri 'none'";

    public static IApplicationBuilder UseDcsConsole(this IApplicationBuilder app)
    {
        var files = new ManifestEmbeddedFileProvider(typeof(ConsoleFiles).Assembly, "Http/WebConsole/wwwroot");
        return app.Map(Route, branch =>
        {
            branch.UseDefaultFiles(new DefaultFilesOptions { FileProvider = files });
            branch.UseStaticFiles(new StaticFileOptions
            {
                FileProvider = files,
                OnPrepareResponse = context =>
                {
                    var headers = context.Context.Response.Headers;
                    headers.ContentSecurityPolicy = ContentSecurityPolicy;
                    headers.XContentTypeOptions = "nosniff";
                    headers["Referrer-Policy"] = "no-referrer";
                    // Revalidated on every load (ETag), so a new dcsd never serves an old script.
                    headers.CacheControl = "no-cache";
                },
            });
        });
    }
}
