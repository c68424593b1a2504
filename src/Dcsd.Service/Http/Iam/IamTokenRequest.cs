using System.Text.Json;
using Dcsd.Service.Security;

namespace Dcsd.Service.Http.Iam;

/// <summary>
/// The parts of an IAM <c>POST /v3/auth/tokens</c> body dcsd uses:
/// <c>{"auth":{"identity":{"methods":["password"],"password":{"user":{"name","password","domain":{"name"}}}},"scope":{"project":{"id"}}}}</c>.
/// dcsd has no users: the user name is an access key and the password its secret key; the domain is accepted and ignored.
/// </summary>
internal sealed class IamTokenRequest
{
    private IamTokenRequest(string? userName, string? password, string? projectId)
    {
        UserName = userName;
        Password = password;
        ProjectId = projectId;
    }

    /// <summary>The access key, when the password method was used.</summary>
    public string? UserName { get; }

    /// <summary>The secret key, when the password method was used. Never log it.</summary>
    public string? Password { get; }

    /// <summary>scope.project.id, or null when the request has no project scope (the credential's own project is used).</summary>
    public string? ProjectId { get; }

    public bool HasPassword => UserName is not null && Password is not null;

    public override string ToString() => $"Token request for {UserName ?? "(signed request)"}";

    /// <returns>The request, or null when the body is not JSON of the expected shape.</returns>
    public static IamTokenRequest? TryParse(byte[] body)
    {
        try
        {
            using var document = JsonDocument.Parse(body);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("auth", out var auth) || auth.ValueKind != JsonValueKind.Object)
            {
                return null;
            }

            string? name = null, password = null;
            if (auth.TryGetProperty("identity", out var identity) && identity.ValueKind == JsonValueKind.Object
                && identity.TryGetProperty("methods", out var methods) && methods.ValueKind == JsonValueKind.Array
                && methods.EnumerateArray().Any(m => m.ValueKind == JsonValueKind.String && m.ValueEquals("password"))
                && identity.TryGetProperty("password", out var passwordElement) && passwordElement.ValueKind == JsonValueKind.Object
                && passwordElement.TryGetProperty("user", out var user) && user.ValueKind == JsonValueKind.Object)
            {
                name = StringProperty(user, "name");
                password = StringProperty(user, "password");
            }

            string? projectId = null;
            if (auth.TryGetProperty("scope", out var scope) && scope.ValueKind == JsonValueKind.Object
                && scope.TryGetProperty("project", out var project) && project.ValueKind == JsonValueKind.Object)
            {
                projectId = StringProperty(project, "id");
            }

            return new IamTokenRequest(name, password, projectId);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static string? StringProperty(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}
