using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Logging;
using Dcsd.Service.Dcs;

namespace Dcsd.Service.Http;

/// <summary>
/// The outermost middleware: every response carries X-Request-Id, every failure leaves in the DCS error shape of its API
/// version, and nothing internal (stack traces, exception text) reaches a client.
/// </summary>
internal static class DcsRequestPipeline
{
    public static void UseDcsErrors(this IApplicationBuilder app)
    {
        var logger = app.ApplicationServices.GetRequiredService<ILoggerFactory>().CreateLogger("Dcsd.Api");
        app.Use(async (context, next) =>
        {
            string requestId = Guid.NewGuid().ToString("N");
            context.Response.Headers["X-Request-Id"] = requestId;
            try
            {
                await next(context).ConfigureAwait(false);
            }
            catch (DcsException ex) when (!context.Response.HasStarted)
            {
                await DcsErrorResult.WriteAsync(context, ex.Error).ConfigureAwait(false);
                return;
            }
            catch (BadHttpRequestException ex) when (!context.Response.HasStarted)
            {
                await DcsErrorResult.WriteAsync(context, ex.StatusCode == StatusCodes.Status413PayloadTooLarge ? DcsErrors.BodyTooLarge : DcsErrors.MalformedJson).ConfigureAwait(false);
                return;
            }
            catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex) when (!context.Response.HasStarted)
            {
                Log.UnhandledRequestError(logger, ex, context.Request.Method, context.Request.Path);
                await DcsErrorResult.WriteAsync(context, DcsErrors.Internal).ConfigureAwait(false);
                return;
            }

            if (!context.Response.HasStarted)
            {
                // Routing answers unknown paths and wrong methods with a bare status; give them a DCS body.
                if (context.Response.StatusCode == StatusCodes.Status404NotFound && context.GetEndpoint() is null)
                {
                    await DcsErrorResult.WriteAsync(context, DcsErrors.UrlNotFound).ConfigureAwait(false);
                }
                else if (context.Response.StatusCode == StatusCodes.Status405MethodNotAllowed)
                {
                    await DcsErrorResult.WriteAsync(context, DcsErrors.MethodNotAllowed).ConfigureAwait(false);
                }
            }
        });
    }
}
