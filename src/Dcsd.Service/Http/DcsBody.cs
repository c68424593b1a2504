using System.Text.Json;
using Dcsd.Service.Dcs;

namespace Dcsd.Service.Http;

/// <summary>
/// Reads a JSON request body into <typeparamref name="T"/> with DCS errors for every way it can be wrong:
/// empty (DCS.4004), not JSON or not an object (DCS.4005), a field of the wrong type (DCS.4062 naming the field).
/// </summary>
internal static class DcsBody
{
    public const int MaxBytes = 1 << 20;

    public static async Task<T> ReadAsync<T>(HttpRequest request, bool required, CancellationToken cancellationToken)
        where T : class, new()
    {
        byte[] body = await ReadBytesAsync(request, cancellationToken).ConfigureAwait(false);
        if (body.AsSpan().Trim(" \t\r\n"u8).IsEmpty)
        {
            return required ? throw new DcsException(DcsErrors.EmptyBody) : new T();
        }

        try
        {
            using var document = JsonDocument.Parse(body);
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                throw new DcsException(DcsErrors.MalformedJson);
            }
        }
        catch (JsonException)
        {
            throw new DcsException(DcsErrors.MalformedJson);
        }

        try
        {
            return JsonSerializer.Deserialize<T>(body, DcsJson.Options) ?? new T();
        }
        catch (JsonException ex)
        {
            throw new DcsException(DcsErrors.InvalidParameter(FieldName(ex.Path)));
        }
    }

    private static async Task<byte[]> ReadBytesAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        if (request.ContentLength > MaxBytes)
        {
            throw new DcsException(DcsErrors.BodyTooLarge);
        }

        using var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        while (true)
        {
            int read = await request.Body.ReadAsync(chunk, cancellationToken).ConfigureAwait(false);
            if (read == 0)
            {
                return buffer.ToArray();
            }

            if (buffer.Length + read > MaxBytes)
            {
                throw new DcsException(DcsErrors.BodyTooLarge);
            }

            buffer.Write(chunk, 0, read);
        }
    }

    /// <summary>"$.instance_backup_policy.save_days" → "instance_backup_policy.save_days".</summary>
    private static string FieldName(string? path) =>
        string.IsNullOrEmpty(path) || path == "$" ? "body" : path.TrimStart('$', '.');
}
