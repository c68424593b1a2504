namespace Dcsd.Redis.Replication;

/// <summary>A filled slice of a pooled receive buffer on its way from the socket to the destination.</summary>
internal readonly record struct PayloadChunk(byte[] Buffer, int Length);
