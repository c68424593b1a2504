namespace Dcsd.Service.Http;

/// <summary>Set as a request feature when authentication refuses a request, so the failure can be counted by its DCS code.</summary>
internal sealed record DcsAuthenticationFailure(string Code);
