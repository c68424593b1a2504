using System.Globalization;
using System.Net;

namespace Dcsd.Cli.Serve;

/// <summary>HOST:PORT as given to --listen, turned into the URL Kestrel listens on.</summary>
internal static class ListenAddress
{
    public const string Default = "127.0.0.1:7480";

    public static string ToUrl(string listen)
    {
        if (!IPEndPoint.TryParse(listen, out var endPoint) && !TryParseHostPort(listen, out endPoint))
        {
            throw new ArgumentException($"--listen expects HOST:PORT, e.g. {Default}; got '{listen}'");
        }

        string host = endPoint.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? $"[{endPoint.Address}]" : endPoint.Address.ToString();
        return string.Create(CultureInfo.InvariantCulture, $"http://{host}:{endPoint.Port}");
    }

    private static bool TryParseHostPort(string listen, out IPEndPoint endPoint)
    {
        endPoint = new IPEndPoint(IPAddress.Loopback, 0);
        int colon = listen.LastIndexOf(':');
        if (colon <= 0 || !int.TryParse(listen.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out int port) || port > 65535)
        {
            return false;
        }

        string host = listen[..colon];
        if (host == "localhost")
        {
            endPoint = new IPEndPoint(IPAddress.Loopback, port);
            return true;
        }

        return false;
    }
}
