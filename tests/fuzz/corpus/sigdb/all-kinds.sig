family meson # all kinds
domain  Example.COM role=node conf=high src="S1 a#b c"
host    gw.example.net role=relay conf=75 port=tcp/5060 src=G3
pattern spec00-[a-kx]{15}*.mesontracking.com role=node conf=medium src=S4
cidr    10.1.0.0/16 role=control conf=low src=x port=udp/53
cidr    2001:db8::/32 role=control conf=0 src=x
ja3     0123456789abcdef0123456789abcdef role=relay conf=low src=x
cert    *.example.com role=node conf=high src=x
port    udp/28967 role=node conf=medium src=x
