family saturn
pattern n?de-[0-9]{2}*x.example.com role=relay conf=high src=x
pattern *.cdn.*.example.org role=relay conf=medium src=x
pattern [-_a-z]{3}.example.org role=web conf=low src=x
domain example.org role=web conf=low src=x
# spec00-bejkbackbfikcai.example.org
# spec00-bdkcaikcfbkbhfx-06-exsief.example.org
# a.cdn.b.example.org
