namespace Dcsd.Service.Dcs;

/// <summary>
/// One DCS error: the HTTP status, the v2 code ("DCS.4096"), its v1.0 twin ("111400096") and the message.
/// v1.0 routes answer it nested, v2 routes flat (shared/reference/dcs-api.md §5.2).
/// </summary>
internal sealed record DcsError(int Status, string Code, string LegacyCode, string Message)
{
    public DcsError WithMessage(string message) => this with { Message = message };
}
