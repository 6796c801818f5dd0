family mysterium
cidr 10.0.0.0/8 role=control conf=low src=x
cidr 10.1.2.3 role=control conf=high src=x
cidr 10.1.2.3 role=relay conf=high port=tcp/443 src=x
cidr ::ffff:10.0.0.0/104 role=control conf=low src=x
cidr 2001:db8:1::1/128 role=control conf=high src=x
