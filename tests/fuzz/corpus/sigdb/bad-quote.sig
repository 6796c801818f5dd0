family pawns
host a.example.com role=customer conf=low src="unterminated
