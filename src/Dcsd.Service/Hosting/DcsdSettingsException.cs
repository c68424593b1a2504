namespace Dcsd.Service.Hosting;

/// <summary>A setting dcsd cannot start with; the message names each bad setting and says what it must be.</summary>
public sealed class DcsdSettingsException(string message, Exception innerException) : Exception(message, innerException);
