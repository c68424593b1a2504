using System.Text.Json;
using System.Text.Json.Serialization;

namespace Dcsd.Service.Http;

internal static class DcsJson
{
    /// <summary>DCS bodies are snake_case; nulls are written (the SDK models expect the fields to be present).</summary>
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
        NumberHandling = JsonNumberHandling.Strict,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Skip,
    };

    public const string TimestampFormat = "yyyy-MM-dd'T'HH:mm:ss.fff'Z'";

    public static string? Timestamp(DateTimeOffset? value) =>
        value?.UtcDateTime.ToString(TimestampFormat, System.Globalization.CultureInfo.InvariantCulture);
}
