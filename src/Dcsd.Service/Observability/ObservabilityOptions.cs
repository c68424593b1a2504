namespace Dcsd.Service.Observability;

/// <summary>How dcsd exposes its metrics and writes its logs (section "Dcsd:Observability").</summary>
public sealed class ObservabilityOptions
{
    public const string SectionName = "Dcsd:Observability";

    /// <summary>Text (one human-readable line per event, the default) or Json (one JSON object per line, with scopes).</summary>
    public LogFormat LogFormat { get; set; } = LogFormat.Text;

    /// <summary>Who may read <c>GET /metrics</c>. The default, Auto, is anyone when dcsd listens on loopback only, else callers with credentials.</summary>
    public MetricsAccess MetricsAccess { get; set; } = MetricsAccess.Auto;

    /// <summary>
    /// A bearer token that also opens <c>/metrics</c> (Prometheus' <c>authorization: {credentials: ...}</c>), for a dcsd that
    /// listens beyond loopback: DCS tokens expire within a day and Prometheus cannot sign requests. At least 32 characters.
    /// </summary>
    public string? MetricsBearerToken { get; set; }

    public const int MinimumBearerTokenLength = 32;
}

public enum LogFormat
{
    Text = 0,
    Json,
}

public enum MetricsAccess
{
    /// <summary>Anonymous when every listen address is loopback, else <see cref="Authenticated"/>.</summary>
    Auto = 0,
    Anonymous,

    /// <summary>A DCS credential (AK/SK signature or X-Auth-Token) or the configured bearer token.</summary>
    Authenticated,
}
