"""Minimal classic-pcap writer and reader.

Scapy's PcapWriter always records caplen == len.  The captures here keep the true
wire length of every packet in the record header (orig_len) while storing only the
first bytes of bulk packets, so this module writes the records itself.

File layout (all little-endian, libpcap 2.4, microsecond timestamps):
  global header: magic a1b2c3d4, version 2.4, thiszone 0, sigfigs 0, snaplen, linktype
  per record:    ts_sec, ts_usec, caplen (bytes stored), orig_len (bytes on the wire), data
"""
import struct

LINKTYPE_ETHERNET = 1
PCAP_MAGIC = 0xA1B2C3D4
GLOBAL_HDR = struct.Struct("<IHHiIII")
RECORD_HDR = struct.Struct("<IIII")


class PcapWriter:
    def __init__(self, path, snaplen=65535, linktype=LINKTYPE_ETHERNET):
        self.snaplen = snaplen
        self.f = open(path, "wb")
        self.f.write(GLOBAL_HDR.pack(PCAP_MAGIC, 2, 4, 0, 0, snaplen, linktype))
        self.count = 0

    def write(self, ts_us, data, orig_len):
        caplen = len(data)
        if caplen > self.snaplen or caplen > orig_len:
            raise ValueError("caplen %d exceeds snaplen %d or orig_len %d" % (caplen, self.snaplen, orig_len))
        self.f.write(RECORD_HDR.pack(ts_us // 1000000, ts_us % 1000000, caplen, orig_len))
        self.f.write(data)
        self.count += 1

    def close(self):
        self.f.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def read_pcap(path):
    """Yield (ts_us, data, orig_len) for every record of a little-endian classic pcap."""
    with open(path, "rb") as f:
        hdr = f.read(GLOBAL_HDR.size)
        magic, vmaj, vmin, _zone, _sig, snaplen, linktype = GLOBAL_HDR.unpack(hdr)
        if magic != PCAP_MAGIC or (vmaj, vmin) != (2, 4):
            raise ValueError("%s: not a little-endian microsecond pcap" % path)
        while True:
            rh = f.read(RECORD_HDR.size)
            if not rh:
                return
            sec, usec, caplen, orig_len = RECORD_HDR.unpack(rh)
            data = f.read(caplen)
            if len(data) != caplen:
                raise ValueError("%s: truncated record" % path)
            yield sec * 1000000 + usec, data, orig_len
