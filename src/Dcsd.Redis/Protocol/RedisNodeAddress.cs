using System.Globalization;

namespace Dcsd.Redis.Protocol;

/// <summary>A node to talk to and how long to wait for it. The password is only ever sent to that node.</summary>
/// <param name="ConnectTimeout">How long a connect may take before the node counts as not answering.</param>
/// <param name="ReplyTimeout">The longest wait for any single reply (or for the node to take bytes) on an open connection.</param>
public sealed record RedisNodeAddress(string Host, int Port, string? Password, TimeSpan ConnectTimeout, TimeSpan ReplyTimeout)
{
    /// <summary>The control plane's waits: a node that accepts a connection but does not answer for 10 s is not answering.</summary>
    public static readonly TimeSpan DefaultConnectTimeout = TimeSpan.FromSeconds(5);

    public static readonly TimeSpan DefaultReplyTimeout = TimeSpan.FromSeconds(10);

    public RedisNodeAddress(string host, int port, string? password)
        : this(host, port, password, DefaultConnectTimeout, DefaultReplyTimeout)
    {
    }

    /// <summary>host:port only: this string ends up in messages, so it must never carry the password.</summary>
    public string EndPoint => Host + ":" + Port.ToString(CultureInfo.InvariantCulture);

    public override string ToString() => EndPoint;
}
