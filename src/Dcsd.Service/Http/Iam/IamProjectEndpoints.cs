using System.Buffers;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Dcsd.Service.Security;

namespace Dcsd.Service.Http.Iam;

/// <summary>
/// IAM-compatible <c>GET /v3/projects?name={region}</c>. The Huawei SDKs call it, signed with the same AK/SK, when their credentials
/// carry no project id, and they need exactly one project back (NET <c>IamService.cs</c>). In dcsd every credential belongs to one
/// project, so the caller's own project is returned, named after the region asked for. Authentication is the middleware's job.
/// </summary>
internal static class IamProjectEndpoints
{
    public const string Route = "/v3/projects";

    public static IEndpointConventionBuilder MapIamProjects(this IEndpointRouteBuilder endpoints) =>
        endpoints.MapGet(Route, ListAsync).WithName("IamListProjects");

    private static async Task ListAsync(HttpContext context)
    {
        var identity = context.GetDcsIdentity();
        var name = context.Request.Query["name"].ToString();
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteStartArray("projects");
            if (identity is not null)
            {
                json.WriteStartObject();
                json.WriteString("id", identity.ProjectId);
                json.WriteString("name", name.Length > 0 ? name : identity.ProjectId);
                json.WriteBoolean("enabled", true);
                json.WriteBoolean("is_domain", false);
                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }

        context.Response.ContentType = "application/json;charset=UTF-8";
        context.Response.ContentLength = buffer.WrittenCount;
        await context.Response.Body.WriteAsync(buffer.WrittenMemory, context.RequestAborted).ConfigureAwait(false);
    }
}
