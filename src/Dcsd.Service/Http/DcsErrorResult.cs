using Dcsd.Service.Security;
using System.Text.Json.Serialization;
using Dcsd.Service.Dcs;

namespace Dcsd.Service.Http;

/// <summary>Writes a <see cref="DcsError"/> in the shape of the request's API version.</summary>
internal sealed class DcsErrorResult(DcsError error) : IResult, IStatusCodeHttpResult
{
    public DcsError Error => error;

    public int? StatusCode => error.Status;

    public Task ExecuteAsync(HttpContext httpContext) => WriteAsync(httpContext, error);

    public static Task WriteAsync(HttpContext context, DcsError error)
    {
        context.Response.StatusCode = error.Status;
        return ApiVersions.Of(context.Request) == DcsApiVersion.V1
            ? context.Response.WriteAsJsonAsync(new NestedError(new NestedErrorBody(error.LegacyCode, error.Message)), DcsJson.Options, context.RequestAborted)
            : context.Response.WriteAsJsonAsync(new FlatError(error.Code, error.Message, null), DcsJson.Options, context.RequestAborted);
    }

    private sealed record NestedError([property: JsonPropertyName("error")] NestedErrorBody Error);

    private sealed record NestedErrorBody(string Code, string Message);

    private sealed record FlatError(string ErrorCode, string ErrorMsg, [property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] string? ErrorExtMsg);
}
