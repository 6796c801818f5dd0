# Aethir Checker Node (AethirCheckerCLI, AethirCheckerService).  LITTLE DATA:
# its network endpoints and ports have not been found; only the download
# location of the CLI is known.
#
# Sources:
#   A1  public community install scripts
#
# The bucket is matched by its virtual-host name only: a path-style request
# (s3.ap-southeast-1.amazonaws.com/checker-mainet-s3/...) shows nothing
# Aethir-specific on the wire.

family aethir

host     checker-mainet-s3.s3.ap-southeast-1.amazonaws.com role=download conf=medium src="A1 .../eu/AethirCheckerCLI-linux-<ver>.tar.gz"
