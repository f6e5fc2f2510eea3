module example.com/benchsandbox

go 1.19
