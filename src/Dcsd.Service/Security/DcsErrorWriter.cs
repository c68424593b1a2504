using System.Buffers;
using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace Dcsd.Service.Security;

/// <summary>
/// Writes a DCS error in the shape of the request's API version: v1.0 nested <c>{"error":{"code","message"}}</c>, everything else v2
/// flat <c>{"error_code","error_msg","error_ext_msg":null}</c> (Terraform reads only the flat top-level <c>error_code</c>).
/// </summary>
internal static class DcsErrorWriter
{
    public static async Task WriteAsync(HttpContext context, DcsError error, CancellationToken cancellationToken)
    {
        var version = DcsApiPath.Parse(context.Request.Path.Value).Version;
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            if (version == DcsApiVersion.V1)
            {
                json.WriteStartObject("error");
                json.WriteString("code", error.V1Code);
                json.WriteString("message", error.Message);
                json.WriteEndObject();
            }
            else
            {
                json.WriteString("error_code", error.V2Code);
                json.WriteString("error_msg", error.Message);
                json.WriteNull("error_ext_msg");
            }

            json.WriteEndObject();
        }

        context.Response.StatusCode = error.StatusCode;
        context.Response.ContentType = "application/json;charset=UTF-8";
        context.Response.ContentLength = buffer.WrittenCount;
        await context.Response.Body.WriteAsync(buffer.WrittenMemory, cancellationToken).ConfigureAwait(false);
    }
}
