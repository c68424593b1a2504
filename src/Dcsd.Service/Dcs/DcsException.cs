namespace Dcsd.Service.Dcs;

/// <summary>Thrown inside the service layers to end a request with a DCS error; the HTTP layer maps it to the response.</summary>
internal sealed class DcsException(DcsError error) : Exception(error.Message)
{
    public DcsError Error { get; } = error;
}
