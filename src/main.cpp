// beastchain-node entry point; everything else lives in beastchain::node::run.
#include <beastchain/node/app.hpp>

int main(int argc, char* argv[])
{
    return beastchain::node::run(argc, argv);
}
